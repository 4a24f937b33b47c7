import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel, type RecommendationModel } from '../../src/inference/index.js';
import { RecommendationService, type RecommendationStage } from '../../src/recommendations/index.js';
import { openDemoStore } from '../support/demo-store.js';

describe('the recommendation service, on the demo data and the bundled model', () => {
  let store: SqliteGraphStore;
  let model: RecommendationModel;
  let service: RecommendationService;
  const stages: RecommendationStage[] = [];
  beforeAll(async () => {
    store = await openDemoStore();
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
    service = await RecommendationService.create(store, model, { timer: (stage) => stages.push(stage) });
  });
  afterAll(async () => {
    await model?.close();
    await store?.close();
  });

  it('builds no explanation until one is read, then builds it once', async () => {
    stages.length = 0;
    const lists = await service.recommend(['user-0001', 'user-0002', 'user-0003'].map((userId) => ({ userId, first: 10 })));
    expect(lists.flat()).toHaveLength(30);
    expect(stages).toContain('onnx');
    expect(stages).not.toContain('explain');

    const top = lists[0]![0]!;
    const explanation = top.explanation;
    expect(explanation.kind).toBe('ATTENTION');
    expect(top.explanation).toBe(explanation);
    expect(stages.filter((s) => s === 'explain')).toHaveLength(1);
  });

  it('ranks a request that wants no explanation exactly as one that does, and refuses to explain it', async () => {
    const [plain, explained] = await service.recommend([
      { userId: 'user-0004', first: 10, explain: false },
      { userId: 'user-0004', first: 10 },
    ]);
    const ranking = (list: typeof plain) => list!.map((r) => [r.rank, r.item.id, r.score]);
    expect(ranking(plain)).toEqual(ranking(explained));
    expect(() => plain![0]!.explanation).toThrow(/without its explanation/);
    expect(explained![9]!.explanation.kind).toBe('ATTENTION');
  });

  it('explains each result from its own rank and user', async () => {
    const [first, second] = await service.recommend([
      { userId: 'user-0001', first: 3 },
      { userId: 'user-0002', first: 3 },
    ]);
    for (const list of [first!, second!]) {
      for (const result of list) {
        // Hop-1 shares add up to the score: the explanation belongs to this very item.
        const shares = result.explanation.contributions(1000).reduce((sum, c) => sum + c.share, 0);
        expect(shares).toBeCloseTo(result.score, 3);
      }
    }
  });
});

describe('the recommendation service with its result cache', () => {
  let store: SqliteGraphStore;
  let model: RecommendationModel;
  let service: RecommendationService;
  const lookups: string[] = [];
  beforeAll(async () => {
    store = await openDemoStore();
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
    service = await RecommendationService.create(store, model, {
      resultCache: { maxEntries: 100, listener: (cache, outcome) => lookups.push(`${cache} ${outcome}`) },
    });
  });
  afterAll(async () => {
    await model?.close();
    await store?.close();
  });

  it('serves the popularity ranking of users without interactions from the cache, never a ranking the model makes', async () => {
    lookups.length = 0;
    const [first, modelled] = await service.recommend([
      { userId: 'nobody-1', first: 5 },
      { userId: 'user-0001', first: 5 },
    ]);
    const [second] = await service.recommend([{ userId: 'nobody-2', first: 5 }]);
    expect(second!.map((r) => r.item.id)).toEqual(first!.map((r) => r.item.id));
    expect(second!.every((r) => r.fallback === 'UNKNOWN_USER')).toBe(true);
    expect(modelled![0]!.fallback).toBeNull();
    expect(lookups).toEqual(['popularity miss', 'popularity hit']);
  });

  it('caches similar items asked for no user only, and forgets them once the catalogue it follows changes', async () => {
    lookups.length = 0;
    const ask = (userId: string | null) => service.similarItems([{ itemId: 'item-0001', first: 5, userId }]);
    const [first] = await ask(null);
    const [again] = await ask(null);
    await ask('user-0002');
    expect(again).toEqual(first);
    await service.itemsChanged([first![0]!.item.id]);
    await ask(null);
    expect(lookups).toEqual(['similar_items miss', 'similar_items hit', 'similar_items miss']);
  });
});
