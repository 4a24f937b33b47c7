import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../src/graph/index.js';
import type { ItemSpace } from '../../src/recommendations/ranking/diversity.js';
import { applyPolicy, poolSize, POLICY_POOL, type Candidate, type RankingPolicy } from '../../src/recommendations/ranking/policy.js';

const item = (id: string, category: string | null = 'A'): ItemRecord => ({
  id,
  title: id,
  category,
  description: null,
  tags: [],
  available: true,
});

/** Candidates best first, scored 10, 9, 8, ... */
const ranked = (...specs: [string, string][]): Candidate<number>[] =>
  specs.map(([id, category], k) => ({ item: item(id, category), score: 10 - k, source: k }));

const policy = (overrides: Partial<RankingPolicy>): RankingPolicy => ({
  boosts: [],
  pins: [],
  includeInteracted: false,
  diversity: 0,
  maxPerCategory: null,
  ...overrides,
});

const ids = (placed: readonly { item: ItemRecord }[]) => placed.map((p) => p.item.id);

describe('ranking policy', () => {
  const list = ranked(['a1', 'A'], ['a2', 'A'], ['a3', 'A'], ['b1', 'B'], ['b2', 'B'], ['c1', 'C']);

  it('takes the top `first` unchanged, with no rules, when no policy reorders', () => {
    expect(ids(applyPolicy(list, null, 3))).toEqual(['a1', 'a2', 'a3']);
    expect(applyPolicy(list, policy({ includeInteracted: true }), 3).every((p) => p.rules.length === 0)).toBe(true);
    expect(poolSize(10, null)).toBe(10);
    expect(poolSize(10, policy({ diversity: 0.5 }))).toBe(10 + POLICY_POOL);
    // A cap widens the pool by the categories the answer must span: 50 each, 100..400.
    expect(poolSize(20, policy({ maxPerCategory: 4 }))).toBe(20 + 250);
    expect(poolSize(20, policy({ maxPerCategory: 1 }))).toBe(20 + 400);
    expect(poolSize(10, policy({ maxPerCategory: 8 }))).toBe(10 + 100);
  });

  it('boosts and buries by category and item id, naming each rule that applied', () => {
    const placed = applyPolicy(
      list,
      policy({
        boosts: [
          { name: 'more B', categories: ['B'], itemIds: [], factor: 2 },
          { name: 'less a1', categories: [], itemIds: ['a1'], factor: 0.5 },
        ],
      }),
      4,
    );
    // b1 7×2 = 14, b2 6×2 = 12, a2 9, a3 8, a1 10×0.5 = 5.
    expect(ids(placed)).toEqual(['b1', 'b2', 'a2', 'a3']);
    expect(placed[0]!.rules).toEqual([{ kind: 'BOOST', name: 'more B', factor: 2 }]);
    expect(placed[0]!.score).toBe(7);
    expect(placed[2]!.rules).toEqual([]);
    const withA1 = applyPolicy(list, policy({ boosts: [{ name: 'less a1', categories: [], itemIds: ['a1'], factor: 0.5 }] }), 6);
    expect(withA1.find((p) => p.item.id === 'a1')!.rules).toEqual([{ kind: 'BURY', name: 'less a1', factor: 0.5 }]);
  });

  it('raises a negative score under a boost rather than lowering it', () => {
    const negative: Candidate<number>[] = [
      { item: item('x', 'A'), score: -1, source: 0 },
      { item: item('y', 'B'), score: -1.5, source: 1 },
    ];
    const placed = applyPolicy(negative, policy({ boosts: [{ name: 'B', categories: ['B'], itemIds: [], factor: 2 }] }), 2);
    expect(ids(placed)).toEqual(['y', 'x']);
  });

  it('pins items at their positions, from the ranking or from outside it, and ignores pins beyond `first`', () => {
    const outside: Candidate<number | null>[] = [{ item: item('z', 'Z'), score: 0.1, source: null }];
    const placed = applyPolicy<number | null>(
      list,
      policy({
        pins: [
          { name: 'hero', itemId: 'c1', position: 1 },
          { name: 'promo', itemId: 'z', position: 3 },
          { name: 'far', itemId: 'b2', position: 50 },
        ],
      }),
      4,
      { pinned: outside },
    );
    expect(ids(placed)).toEqual(['c1', 'a1', 'z', 'a2']);
    expect(placed[0]!.rules).toEqual([{ kind: 'PIN', name: 'hero', position: 1 }]);
    expect(placed[2]!.source).toBeNull();
    // A pin of an item neither ranked nor given (unavailable, unknown) places nothing.
    expect(ids(applyPolicy(list, policy({ pins: [{ name: 'gone', itemId: 'nope', position: 1 }] }), 2))).toEqual(['a1', 'a2']);
  });

  it('caps items per category, counting pinned ones, filling with the next best', () => {
    expect(ids(applyPolicy(list, policy({ maxPerCategory: 1 }), 4))).toEqual(['a1', 'b1', 'c1']);
    expect(ids(applyPolicy(list, policy({ maxPerCategory: 2 }), 4))).toEqual(['a1', 'a2', 'b1', 'b2']);
    const pinned = applyPolicy(list, policy({ maxPerCategory: 1, pins: [{ name: 'p', itemId: 'a3', position: 2 }] }), 3);
    expect(ids(pinned)).toEqual(['b1', 'a3', 'c1']);
  });

  it('trades relevance for variety by maximal marginal relevance over item vectors as diversity grows', () => {
    // a* point one way, b* and c1 other ways: pure relevance takes a1, a2, a3.
    const vectors: Record<string, number[]> = {
      a1: [1, 0, 0],
      a2: [0.99, 0.1, 0],
      a3: [0.98, 0.15, 0],
      b1: [0, 1, 0],
      b2: [0.1, 0.99, 0],
      c1: [0, 0, 1],
    };
    const space: ItemSpace = { vector: (id) => (vectors[id] ? Float32Array.from(vectors[id]!) : null) };
    expect(ids(applyPolicy(list, policy({ diversity: 0 }), 3, { space }))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(applyPolicy(list, policy({ diversity: 0.5 }), 3, { space }))).toEqual(['a1', 'b1', 'c1']);
    // Still led by the most relevant item, and every candidate at most once.
    const diverse = ids(applyPolicy(list, policy({ diversity: 1 }), 6, { space }));
    expect(diverse[0]).toBe('a1');
    expect(new Set(diverse).size).toBe(6);
  });
});
