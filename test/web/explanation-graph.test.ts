import { describe, expect, it } from 'vitest';
import type { ContributionView, RecommendationView } from '../../web/admin/src/api.js';
import { explanationGraph, formatScore } from '../../web/admin/src/explanation-graph.js';

const item = (id: string) => ({ id, title: id.toUpperCase(), category: null, description: null, tags: [], available: true });
const evidence = (userId: string, itemId: string, weight: number): ContributionView => ({
  hop: 2,
  layer: 1,
  weight,
  headWeights: [weight, weight],
  share: weight * 10,
  item: item(itemId),
  user: { id: userId },
});
const recommendation: RecommendationView = {
  rank: 1,
  score: 3,
  item: item('rec'),
  explanation: {
    kind: 'ATTENTION',
    summary: 'Because you liked A and B.',
    modelVersion: 'v1',
    contributions: [
      { hop: 1, layer: 2, weight: 0.6, headWeights: [0.5, 0.7], share: 2, item: item('a'), user: null, evidence: [evidence('v', 'a', 0.2), evidence('w', 'a', 0.1)] },
      { hop: 1, layer: 2, weight: 0.3, headWeights: [0.3, 0.3], share: 1, item: item('b'), user: null, evidence: [evidence('v', 'b', 0.05)] },
    ],
    rules: [],
  },
  variant: null,
};

describe('the explanation graph', () => {
  const graph = explanationGraph('u', recommendation);

  it('has the recommended item, the user, their items and each co-user once, in columns', () => {
    expect(graph.nodes.map((n) => [n.id, n.role, n.column])).toEqual([
      ['item:rec', 'recommended', 0],
      ['user:u', 'user', 1],
      ['item:a', 'item', 2],
      ['user:v', 'co-user', 3],
      ['user:w', 'co-user', 3],
      ['item:b', 'item', 2],
    ]);
  });

  it('carries the API’s weights on the edges, with strength spread from the weakest to the strongest edge of each kind', () => {
    expect(graph.edges.map((e) => [e.id, e.kind, e.weight, e.strength])).toEqual([
      ['user:u->item:rec', 'score', 3, 1],
      ['item:a->user:u', 'layer-2', 0.6, 1],
      ['user:v->item:a', 'layer-1', 0.2, 1],
      ['user:w->item:a', 'layer-1', 0.1, expect.closeTo(1 / 3, 12)],
      ['item:b->user:u', 'layer-2', 0.3, 0],
      ['user:v->item:b', 'layer-1', 0.05, 0],
    ]);
  });

  it('names the neighbour of each edge in its tooltip, with the hop, the layer and the exact numbers', () => {
    expect(graph.edges.map((e) => e.description)).toEqual([
      '“REC” for u: score 3.0000',
      'Hop 1 (layer 2): u attends to their item “A”. Attention 0.6000 (head 1: 0.5000, head 2: 0.7000); share of score 2.0000',
      'Hop 2 (layer 1): “A” attends to v, who also has it. Attention 0.2000 (head 1: 0.2000, head 2: 0.2000); share of score 2.0000',
      'Hop 2 (layer 1): “A” attends to w, who also has it. Attention 0.1000 (head 1: 0.1000, head 2: 0.1000); share of score 1.0000',
      'Hop 1 (layer 2): u attends to their item “B”. Attention 0.3000 (head 1: 0.3000, head 2: 0.3000); share of score 1.0000',
      'Hop 2 (layer 1): “B” attends to v, who also has it. Attention 0.0500 (head 1: 0.0500, head 2: 0.0500); share of score 0.5000',
    ]);
  });

  it('gives a popularity fallback’s score as the count of users it is', () => {
    const fallback: RecommendationView = {
      ...recommendation,
      score: 454,
      explanation: { kind: 'POPULARITY_FALLBACK', summary: 'Popular.', modelVersion: null, contributions: [], rules: [] },
    };
    expect(explanationGraph('u', fallback).edges.map((e) => e.description)).toEqual(['“REC” for u: score 454 users']);
    expect(formatScore(1, 'POPULARITY_FALLBACK')).toBe('1 user');
    expect(formatScore(0.12345, 'ATTENTION')).toBe('0.1235');
  });

  it('scores every other kind, known or not, to four places', () => {
    for (const kind of ['CONTENT', 'SIMILAR_ITEMS', 'RULE', 'SOMETHING_NEWER']) expect(formatScore(0.5, kind)).toBe('0.5000');
  });
});
