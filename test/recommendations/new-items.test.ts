import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel, type RecommendationModel } from '../../src/inference/index.js';
import { RecommendationService } from '../../src/recommendations/index.js';
import { calibrated, cosineForShare, newItemsInTop, type SampleUser } from '../../src/recommendations/new-items.js';
import { openDemoStore } from '../support/demo-store.js';

describe('items the model was not trained on', () => {
  let store: SqliteGraphStore;
  let model: RecommendationModel;
  let service: RecommendationService;
  /** Demo users whose history is mostly one category, most devoted first. */
  let devoted: string[];
  let category: string;
  beforeAll(async () => {
    store = await openDemoStore();
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
    service = await RecommendationService.create(store, model);
    const users = (await store.listUsers({ first: 600 })).records.map((u) => u.id);
    const neighbourhoods = await store.neighbourhoods(users, { hop1: 48, hop2: 1 });
    const shares = neighbourhoods.map((n) => {
      const counts = new Map<string, number>();
      for (const { item } of n.items) counts.set(item.category!, (counts.get(item.category!) ?? 0) + 1);
      const [top, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      return { userId: n.userId, top, share: count / n.items.length };
    });
    category = shares[0]!.top;
    devoted = shares
      .filter((s) => s.top === category)
      .sort((a, b) => b.share - a.share)
      .map((s) => s.userId);
  });
  afterAll(async () => {
    await model?.close();
    await store?.close();
  });

  const ranksOf = async (userId: string, itemId: string, first = 100) => {
    const [list] = await service.recommend([{ userId, first }]);
    return list!.findIndex((r) => r.item.id === itemId) + 1;
  };

  it('knows the trained items as trained and a new item with neither users nor text not at all', async () => {
    expect(devoted.length).toBeGreaterThan(31);
    expect(service.knowledgeOf('item-0001')).toBe('TRAINED');
    await store.upsertItems([{ id: 'fresh-1', title: 'Fresh One', category }]);
    expect(service.coverage().items).toBe(1920);
    await service.itemsChanged(['fresh-1']);
    expect(service.knowledgeOf('fresh-1')).toBe('NONE');
    expect(await ranksOf(devoted[30]!, 'fresh-1')).toBe(0);
  });

  it('estimates a new item from its first users and recommends it to a user of the same taste on the next query', async () => {
    const buyers = devoted.slice(0, 30);
    await store.recordInteractions(
      buyers.map((userId) => ({ userId, itemId: 'fresh-1', type: 'PURCHASE', weight: 3, occurredAt: new Date() })),
    );
    await service.interactionsRecorded(['fresh-1']);
    expect(service.knowledgeOf('fresh-1')).toBe('INDUCTIVE');
    expect(service.coverage()).toEqual({ items: 1921, trained: 1920, inductive: 1, content: 0, none: 0 });
    const rank = await ranksOf(devoted[30]!, 'fresh-1');
    expect(rank).toBeGreaterThan(0);
    // Calibrated so that estimates take their catalogue share of a top 20 (docs/model.md, New items: measured).
    expect(rank).toBeLessThanOrEqual(50);
  });

  it('puts the new item in its users’ neighbourhoods, so it explains their other recommendations', async () => {
    const [list] = await service.recommend([{ userId: devoted[0]!, first: 10 }]);
    const neighbours = list!.flatMap((r) => r.explanation.contributions(50).map((c) => c.item.id));
    expect(neighbours).toContain('fresh-1');
  });
});

describe('calibrating an estimate to the trained rows', () => {
  it('sets its cosine with the users’ common direction and keeps the direction of the rest', () => {
    const common = new Float32Array([1, 0, 0]);
    const estimate = new Float32Array([0.8, 0.36, 0.48]);
    const out = calibrated(estimate, { direction: common, cosine: -0.5 });
    expect(Math.hypot(...out)).toBeCloseTo(1, 6);
    expect(out[0]).toBeCloseTo(-0.5, 6);
    expect(out[1]! / out[2]!).toBeCloseTo(0.36 / 0.48, 6);
    expect(out[1]).toBeGreaterThan(0);
  });
});

describe('choosing the cosine at which new items take their share of a top list', () => {
  const user = (along: number, ...trainedTop: number[]): SampleUser => ({ along, trainedTop: Float32Array.from(trainedTop) });

  it('counts a new item in a top list where it beats the trained score it displaces', () => {
    // Along the common direction only (no rest), each of three new items scores the cosine itself.
    const users = [user(1, 0.9, 0.8, 0.1)];
    const three = [0, 0, 0].map(() => Float32Array.of(0));
    expect(newItemsInTop(users, three, 0.85, 3)).toBe(2);
    expect(newItemsInTop(users, three, 0.95, 3)).toBe(3);
    expect(newItemsInTop(users, three, 0.05, 3)).toBe(0);
    // A trained list shorter than the top leaves its empty places to new items.
    expect(newItemsInTop([user(1, 0.9)], three, -0.5, 3)).toBe(2);
    // An item the user interacted with (NaN) is never counted.
    expect(newItemsInTop(users, [Float32Array.of(Number.NaN)], 0.95, 3)).toBe(0);
  });

  it('picks the largest cosine at which new items take no more than the target, by bisection', () => {
    // One new item scoring the cosine for two users: it enters the first user's top 2 above 0.5, the second's above 0.7.
    const users = [user(1, 0.9, 0.5), user(1, 0.9, 0.7)];
    const item = [Float32Array.of(0, 0)];
    const half = cosineForShare(users, item, 0.5, 2);
    expect(half).toBeCloseTo(0.7, 6);
    expect(newItemsInTop(users, item, half, 2)).toBe(0.5);
    expect(newItemsInTop(users, item, half + 1e-6, 2)).toBe(1);
    expect(cosineForShare(users, item, 0, 2)).toBeCloseTo(0.5, 6);
    // Where the estimates never take more than the target, the first scanned cosine at which they take the most.
    expect(cosineForShare(users, item, 1, 2)).toBeCloseTo(0.7, 6);
  });

  it('searches the rising branch where the count falls again towards the common direction itself', () => {
    // h_u = (along, rest) = (0.6, 0.8), one trained row scoring 0.8: the estimate scores 0.6·c + 0.8·√(1 − c²),
    // above 0.8 for c in (0, 0.96) only; at c = 1 (the common direction itself) it is out again.
    const users = [user(0.6, 0.8)];
    const item = [Float32Array.of(0.8)];
    expect(newItemsInTop(users, item, 1, 1)).toBe(0);
    expect(newItemsInTop(users, item, 0.5, 1)).toBe(1);
    expect(cosineForShare(users, item, 0, 1)).toBeCloseTo(0, 6);
  });

  it('trades the common component against an estimate’s own direction', () => {
    // A unit h_u of (along, rest) = (0.95, √(1 − 0.95²)) and one trained row scoring 0.9: the estimate
    // scores 0.95·c + rest·√(1 − c²), the cosine of its angle with h_u, which passes 0.9 once on the way
    // to its peak at c = 0.95, at c = 0.95·0.9 − rest·√(1 − 0.9²).
    const rest = Math.sqrt(1 - 0.95 ** 2);
    const c = cosineForShare([user(0.95, 0.9)], [Float32Array.of(rest)], 0, 1);
    expect(c).toBeCloseTo(0.95 * 0.9 - rest * Math.sqrt(1 - 0.9 ** 2), 5);
  });
});
