import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  absoluteShare,
  byAttentionDescending,
  deletionArea,
  explanationConcentration,
  normalisedEntropy,
} from '../../bench/accuracy/explanation-concentration.js';
import { sampleNeighbourhoods, servedPath, type ServedPath } from '../../bench/accuracy/served-evaluation.js';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel } from '../../src/inference/index.js';
import { openDemoStore } from '../support/demo-store.js';

describe('the share of the score the top contributors carry', () => {
  it('divides the largest absolute contributions by the sum of absolute contributions', () => {
    // |3| + |−1| + 0.5 + 0.5 = 5
    expect(absoluteShare([0.5, 3, -1, 0.5], 1)).toBeCloseTo(3 / 5);
    expect(absoluteShare([0.5, 3, -1, 0.5], 3)).toBeCloseTo(4.5 / 5);
  });

  it('ranks a negative contribution by its size', () => {
    expect(absoluteShare([1, -4, 1], 1)).toBeCloseTo(4 / 6);
  });

  it('is k / n when every neighbour contributes alike, 1 when asking for more than there are, 0 when nothing contributes', () => {
    expect(absoluteShare([0.2, 0.2, 0.2, 0.2], 1)).toBeCloseTo(0.25);
    expect(absoluteShare([0.2, 0.2], 3)).toBeCloseTo(1);
    expect(absoluteShare([0, 0], 1)).toBe(0);
  });
});

describe('normalised attention entropy', () => {
  it('is 1 for uniform attention and 0 when one neighbour holds it all', () => {
    expect(normalisedEntropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1);
    expect(normalisedEntropy([1, 0, 0])).toBe(0);
  });

  it('divides the entropy by log(number of neighbours), renormalising the weights', () => {
    expect(normalisedEntropy([0.5, 0.5, 0])).toBeCloseTo(Math.log(2) / Math.log(3));
    expect(normalisedEntropy([2, 2])).toBeCloseTo(1);
    // p = (0.75, 0.25): H = −0.75 ln 0.75 − 0.25 ln 0.25 ≈ 0.5623, / ln 2 ≈ 0.8113
    expect(normalisedEntropy([0.75, 0.25])).toBeCloseTo(0.8113, 4);
  });

  it('is undefined below two neighbours', () => {
    expect(normalisedEntropy([1])).toBeNull();
    expect(normalisedEntropy([])).toBeNull();
  });
});

describe('the deletion curve', () => {
  it('orders neighbours by attention, highest first, ties by slot', () => {
    expect(byAttentionDescending([0.1, 0.5, 0.2, 0.5])).toEqual([1, 3, 2, 0]);
  });

  it('measures the area between the attended and random curves with unit steps', () => {
    expect(deletionArea([0.1, 0.2, 0.3], [0, 0.05, -0.05])).toBeCloseTo(0.1 + 0.15 + 0.35);
    expect(deletionArea([0.1], [0.3])).toBeCloseTo(-0.2);
    expect(() => deletionArea([0.1, 0.2], [0])).toThrow(RangeError);
  });
});

describe('explanation concentration through the served model', () => {
  let store: SqliteGraphStore;
  let path: ServedPath;
  beforeAll(async () => {
    store = await openDemoStore();
    path = await servedPath(store, await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) }));
  });
  afterAll(async () => {
    await path?.model.close();
    await store?.close();
  });

  it('reads shares, entropy and both deletion curves for the users it can measure', async () => {
    const users = ['user-0001', 'user-0002', 'user-0500', 'user-2999', 'user-1234'];
    const result = await explanationConcentration(path, users, 7, { explainedRanks: 5, maxDeletions: 3 });
    const neighbourhoods = await sampleNeighbourhoods(path, users);
    const measured = neighbourhoods.filter((n) => n.items.length > 0);
    expect(result.explainedItems).toBe(measured.length * 5);
    expect(result.entropyUsers).toBe(neighbourhoods.filter((n) => n.items.length >= 2).length);
    expect(result.deletion.users).toBeLessThanOrEqual(neighbourhoods.filter((n) => n.items.length >= 4).length);
    expect(result.deletion.users).toBeGreaterThan(0);
    expect(result.top1Share).toBeGreaterThan(0);
    expect(result.top3Share).toBeGreaterThanOrEqual(result.top1Share);
    expect(result.top3Share).toBeLessThanOrEqual(1);
    expect(result.attentionEntropy).toBeGreaterThan(0);
    expect(result.attentionEntropy).toBeLessThanOrEqual(1 + 1e-9);
    expect(result.deletion.k).toEqual([1, 2, 3]);
    expect(result.deletion.topAttended).toHaveLength(3);
    expect(result.deletion.area).toBeCloseTo(
      result.deletion.topAttended.reduce((s, v, k) => s + v - result.deletion.random[k]!, 0),
    );
  });

  it('gives the same figures for the same seed', async () => {
    const users = ['user-0001', 'user-0500', 'user-2999'];
    const a = await explanationConcentration(path, users, 3, { explainedRanks: 2 });
    const b = await explanationConcentration(path, users, 3, { explainedRanks: 2 });
    expect(a).toEqual(b);
  });
});
