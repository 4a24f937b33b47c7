import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel, type RecommendationModel } from '../../src/inference/index.js';
import { RecommendationService } from '../../src/recommendations/index.js';
import { calibrated } from '../../src/recommendations/new-items.js';
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
    // Calibrated to the trained rows (docs/model.md, New items: measured), it competes with them as a popular item would.
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
