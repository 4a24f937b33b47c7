import { describe, expect, it } from 'vitest';
import { readUserScores, type ModelOutputs } from '../../src/inference/index.js';

// B = 2 users, K = 3 ranks, H = 1 head, F1 = 2 slots, F2 = 1 co-user, E = 2 explained ranks.
const f32 = (dims: number[], values: number[]) => ({ data: Float32Array.from(values), dims });
const outputs: ModelOutputs = {
  top_scores: f32([2, 3], [3, 2, 1, 6, 5, -1e9]),
  top_items: { data: BigInt64Array.from([10n, 11n, 12n, 20n, 21n, 22n]), dims: [2, 3] },
  user_vectors: f32([2, 2], [0.1, 0.2, 0.3, 0.4]),
  hop1_attention: f32([2, 1, 2], [0.6, 0.4, 0.5, 0.5]),
  hop2_attention: f32([2, 1, 2, 1], [1, 1, 1, 0]),
  // [b][e][f]: the hundreds say the user, the tens the explained rank, the ones the slot.
  hop1_contribution: f32([2, 2, 2], [100, 101, 110, 111, 200, 201, 210, 211]),
  hop2_contribution: f32([2, 2, 2, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
};

describe('reading one user’s scores from a batch run', () => {
  it('ranks the row’s items best first and drops those the candidate mask excluded', () => {
    expect(readUserScores(outputs, 0).ranked.map((r) => r.itemIndex)).toEqual([10, 11, 12]);
    expect(readUserScores(outputs, 1).ranked).toEqual([
      { itemIndex: 20, score: 6 },
      { itemIndex: 21, score: 5 },
    ]);
  });

  it('reads the row’s user vector in place', () => {
    expect([...readUserScores(outputs, 1).userVector]).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it('addresses contributions by explained rank, within the row', () => {
    const second = readUserScores(outputs, 1);
    expect(second.explainedRanks).toBe(2);
    expect(second.hop1Contribution(1, 0)).toBe(210);
    expect(second.hop1Contribution(0, 1)).toBe(201);
    expect(second.hop2Contribution(1, 1, 0)).toBeCloseTo(0.8);
  });

  it('refuses a contribution of a rank the run did not explain', () => {
    const first = readUserScores(outputs, 0);
    expect(first.ranked).toHaveLength(3);
    expect(() => first.hop1Contribution(2, 0)).toThrow(/rank 2 was not explained/);
    const none = readUserScores({ ...outputs, hop1_contribution: f32([2, 0, 2], []), hop2_contribution: f32([2, 0, 2, 1], []) }, 0);
    expect(none.explainedRanks).toBe(0);
    expect(() => none.hop2Contribution(0, 0, 0)).toThrow(/not explained/);
  });
});
