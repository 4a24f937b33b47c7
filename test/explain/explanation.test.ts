import { describe, expect, it } from 'vitest';
import { attentionExplanation, popularityExplanation } from '../../src/explain/index.js';
import type { NeighbourSlots, UserScores } from '../../src/inference/index.js';

const at = new Date(0);
const slots: NeighbourSlots = {
  items: [
    { item: { id: 'a', title: 'Blue Train', category: 'Jazz', description: null, tags: [], available: true }, type: 'VIEW', weight: 1, lastAt: at, coUsers: [] },
    { item: { id: 'b', title: 'Kind of Blue', category: 'Jazz', description: null, tags: [], available: true }, type: 'PURCHASE', weight: 1, lastAt: at, coUsers: [] },
    { item: { id: 'c', title: 'Paranoid', category: 'Rock', description: null, tags: [], available: true }, type: 'LIKE', weight: 1, lastAt: at, coUsers: [] },
  ],
  coUsers: [[{ userId: 'u7', weight: 1, lastAt: at }, { userId: 'u8', weight: 1, lastAt: at }], [], []],
};

// Two heads; attention per head and slot, and per-slot shares of the score of recommendation 0.
const alpha = [
  [0.5, 0.3, 0.2],
  [0.7, 0.2, 0.1],
];
const beta = [
  [0.25, 0.75],
  [0.5, 0.5],
];
const shares = [0.2, 0.9, -0.1];
const coShares = [0.05, 0.1];
const scores: UserScores = {
  heads: 2,
  userVector: new Float32Array(4),
  ranked: [{ itemIndex: 4, score: 1.0 }],
  explainedRanks: 1,
  hop1Attention: (h, f) => alpha[h]![f]!,
  hop2Attention: (h, f, g) => (f === 0 ? beta[h]![g]! : 0),
  hop1Contribution: (_k, f) => shares[f]!,
  hop2Contribution: (_k, f, g) => (f === 0 ? coShares[g]! : 0),
};

describe('attention explanations', () => {
  const explanation = attentionExplanation(scores, 0, slots, 'v1');

  it('lists first-hop contributions by share, with the real attention weights', () => {
    const contributions = explanation.contributions(5);
    expect(contributions.map((c) => c.item.id)).toEqual(['b', 'a', 'c']);
    const [b, a] = contributions;
    expect(b).toMatchObject({ hop: 1, layer: 2, user: null, share: 0.9 });
    expect(b!.headWeights).toEqual([0.3, 0.2]);
    expect(b!.weight).toBeCloseTo(0.25);
    expect(a!.weight).toBeCloseTo(0.6);
    expect(explanation.contributions(1)).toHaveLength(1);
  });

  it('gives second-hop evidence as path attention, with shares inside the first-hop share', () => {
    const a = explanation.contributions(5).find((c) => c.item.id === 'a')!;
    const evidence = a.evidence(5);
    expect(evidence.map((e) => e.user?.id)).toEqual(['u8', 'u7']);
    expect(evidence[0]).toMatchObject({ hop: 2, layer: 1, share: 0.1 });
    expect(evidence[0]!.headWeights[0]).toBeCloseTo(0.5 * 0.75);
    expect(evidence[0]!.headWeights[1]).toBeCloseTo(0.7 * 0.5);
    expect(evidence.reduce((s, e) => s + e.share, 0)).toBeLessThanOrEqual(a.share);
    expect(evidence[0]!.evidence(3)).toEqual([]);
  });

  it('summarises with the items of the largest positive shares, saying what the user did with each', () => {
    expect(explanation.kind).toBe('ATTENTION');
    expect(explanation.modelVersion).toBe('v1');
    expect(explanation.summary).toBe('Because you bought “Kind of Blue” and viewed “Blue Train”.');
    expect(explanation.contributions(3).map((c) => c.interactionType)).toEqual(['PURCHASE', 'VIEW', 'LIKE']);
    expect(explanation.contributions(1)[0]!.evidence(1)[0]?.interactionType ?? null).toBeNull();
  });

  it('says when an item is recommended for its content', () => {
    const byContent = attentionExplanation(scores, 0, slots, 'v1', true);
    expect(byContent.kind).toBe('CONTENT');
    expect(byContent.summary).toBe('New, and similar in content to “Kind of Blue”: you bought “Kind of Blue”.');
    expect(byContent.contributions(3).map((c) => c.share)).toEqual(explanation.contributions(3).map((c) => c.share));
  });
});

describe('popularity fallback explanations', () => {
  it('are flagged, say why, and carry no contributions', () => {
    const explanation = popularityExplanation('NO_INTERACTIONS');
    expect(explanation.kind).toBe('POPULARITY_FALLBACK');
    expect(explanation.summary).toMatch(/no interactions yet/);
    expect(explanation.contributions(5)).toEqual([]);
    expect(explanation.modelVersion).toBeNull();
  });
});
