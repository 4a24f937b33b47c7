import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemNeighbour, Neighbourhood, SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel, type RecommendationModel } from '../../src/inference/index.js';
import { RecommendationService, withoutInteractions, type RecommendationResult } from '../../src/recommendations/index.js';
import { freshStoreFile, openDemoStore } from '../support/demo-store.js';

const neighbour = (id: string, coUserIds: string[] = []): ItemNeighbour => ({
  item: { id, title: id.toUpperCase(), category: null, description: null, tags: [], available: true },
  type: 'VIEW',
  weight: 1,
  lastAt: new Date(0),
  coUsers: coUserIds.map((userId) => ({ userId, weight: 1, lastAt: new Date(0) })),
});

const sampled: Neighbourhood = {
  userId: 'u',
  userExists: true,
  items: [neighbour('a', ['v1']), neighbour('b', ['v2', 'v3']), neighbour('c'), neighbour('d', ['v4'])],
  interactedItemIds: new Set(['a', 'b', 'c', 'd', 'e']),
};

describe('ignoring interactions ("what if")', () => {
  it('drops ignored items from hop 1 and lets later items fill the fan-out', () => {
    const result = withoutInteractions(sampled, ['b'], 3);
    expect(result.items.map((n) => n.item.id)).toEqual(['a', 'c', 'd']);
    expect(result.items[2]!.coUsers.map((c) => c.userId)).toEqual(['v4']);
  });

  it('no longer excludes ignored items as already interacted', () => {
    expect([...withoutInteractions(sampled, ['b', 'e'], 3).interactedItemIds]).toEqual(['a', 'c', 'd']);
  });

  it('cuts an over-read sample back to the fan-out when nothing is ignored', () => {
    const result = withoutInteractions(sampled, null, 2);
    expect(result.items.map((n) => n.item.id)).toEqual(['a', 'b']);
    expect(result.interactedItemIds).toBe(sampled.interactedItemIds);
  });

  it('changes nothing for items the user never interacted with', () => {
    expect(withoutInteractions(sampled, ['zzz'], 4)).toEqual(sampled);
  });

  it('leaves no items when every interaction is ignored', () => {
    const result = withoutInteractions(sampled, ['a', 'b', 'c', 'd', 'e'], 4);
    expect(result.items).toEqual([]);
    expect(result.interactedItemIds.size).toBe(0);
  });
});

describe('recommendations that ignore interactions, on the demo data and the bundled model', () => {
  const storeFile = freshStoreFile();
  let store: SqliteGraphStore;
  let model: RecommendationModel;
  let service: RecommendationService;
  beforeAll(async () => {
    store = await openDemoStore(storeFile);
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
    service = await RecommendationService.create(store, model);
  });
  afterAll(async () => {
    await model?.close();
    await store?.close();
  });

  const summary = (results: RecommendationResult[]) =>
    results.map((r) => ({
      itemId: r.item.id,
      rank: r.rank,
      score: r.score.toFixed(4),
      kind: r.explanation.kind,
      neighbours: r.explanation.contributions(50).map((c) => [c.item.id, c.weight.toFixed(5), c.share.toFixed(4)]),
    }));

  it('ranks exactly as if the user had never interacted with those items', async () => {
    // user-0100 has 66 edges, more than the model's hop-1 fan-out (48): freed slots must be refilled.
    const userId = 'user-0100';
    const [hop1] = model.metadata.fanouts;
    const [before] = await store.neighbourhoods([userId], { hop1: 100, hop2: 1 });
    expect(before!.items.length).toBeGreaterThan(hop1);
    const ignoreItemIds = [before!.items[0]!.item.id, before!.items[7]!.item.id];

    const [whatIf] = await service.recommend([{ userId, first: 30, ignoreItemIds }]);

    // The oracle: really remove those interactions, then ask without ignoring anything.
    const db = new Database(storeFile);
    const placeholders = ignoreItemIds.map(() => '?').join(', ');
    db.prepare(`DELETE FROM edges WHERE user_id = ? AND item_id IN (${placeholders})`).run(userId, ...ignoreItemIds);
    db.prepare(`DELETE FROM interactions WHERE user_id = ? AND item_id IN (${placeholders})`).run(userId, ...ignoreItemIds);
    db.close();
    const [removed] = await service.recommend([{ userId, first: 30 }]);

    expect(summary(whatIf!)).toEqual(summary(removed!));
    const neighbours = new Set(whatIf!.flatMap((r) => r.explanation.contributions(50).map((c) => c.item.id)));
    expect(neighbours.size).toBe(hop1);
    for (const itemId of ignoreItemIds) expect(neighbours.has(itemId)).toBe(false);
  });

  it('ranks the same user with and without ignored items side by side in one batch', async () => {
    const userId = 'user-0002';
    const [[top]] = (await service.recommend([{ userId, first: 1 }])) as [RecommendationResult[]];
    const heaviest = top!.explanation.contributions(1)[0]!.item.id;
    const [plain, whatIf] = await service.recommend([
      { userId, first: 10 },
      { userId, first: 10, ignoreItemIds: [heaviest] },
    ]);
    const [alone] = await service.recommend([{ userId, first: 10, ignoreItemIds: [heaviest] }]);
    expect(summary(whatIf!)).toEqual(summary(alone!));
    expect(summary(plain!)).not.toEqual(summary(whatIf!));
    expect(plain![0]!.explanation.contributions(50).some((c) => c.item.id === heaviest)).toBe(true);
    expect(whatIf![0]!.explanation.contributions(50).some((c) => c.item.id === heaviest)).toBe(false);
  });

  it('falls back to popular items, the ignored ones included, when every interaction is ignored', async () => {
    const userId = 'user-0003';
    const [all] = await store.neighbourhoods([userId], { hop1: 1000, hop2: 1 });
    const ignoreItemIds = [...all!.interactedItemIds];
    const [whatIf] = await service.recommend([{ userId, first: 5, ignoreItemIds }]);
    const popular = await store.popularItems({ limit: 5 });
    expect(whatIf!.map((r) => r.explanation.kind)).toEqual(Array(5).fill('POPULARITY_FALLBACK'));
    expect(whatIf!.map((r) => r.item.id)).toEqual(popular.map((p) => p.item.id));
  });
});
