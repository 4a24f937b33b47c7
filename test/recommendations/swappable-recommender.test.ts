import { describe, expect, it } from 'vitest';
import type { ModelInfo, RecommendationModel } from '../../src/inference/index.js';
import { SwappableRecommender, type Recommender, type RecommendationResult, type SimilarItemResult } from '../../src/recommendations/index.js';

/** A recommender whose answers name its model version and finish only when released. */
function fakeGeneration(version: string) {
  const events: string[] = [];
  const releases: (() => void)[] = [];
  const recommender: Recommender = {
    modelInfo: { version } as ModelInfo,
    async recommend(requests) {
      await new Promise<void>((resolve) => releases.push(resolve));
      return requests.map(() => [{ item: { id: version } } as RecommendationResult]);
    },
    async similarItems(requests) {
      await new Promise<void>((resolve) => releases.push(resolve));
      return requests.map(() => [{ item: { id: version } } as SimilarItemResult]);
    },
  };
  const model = { close: async () => void events.push(`${version} closed`) } as RecommendationModel;
  return { recommender, model, events, release: () => releases.splice(0).forEach((r) => r()) };
}

const request = { userId: 'u', first: 1 };

describe('swapping the serving model', () => {
  it('lets calls on the old model finish on it and closes it only afterwards', async () => {
    const v1 = fakeGeneration('v1');
    const v2 = fakeGeneration('v2');
    const swappable = new SwappableRecommender(v1.recommender, v1.model);
    const before = swappable.recommend([request]);

    const swapped = swappable.swap(v2.recommender, v2.model);
    expect(swappable.modelInfo.version).toBe('v2');
    const after = swappable.recommend([request]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(v1.events).toEqual([]);

    v1.release();
    v2.release();
    expect((await before)[0]![0]!.item.id).toBe('v1');
    expect((await after)[0]![0]!.item.id).toBe('v2');
    await swapped;
    expect(v1.events).toEqual(['v1 closed']);
    expect(v2.events).toEqual([]);
  });

  it('closes an idle old model at once', async () => {
    const v1 = fakeGeneration('v1');
    const swappable = new SwappableRecommender(v1.recommender, v1.model);
    await swappable.swap(fakeGeneration('v2').recommender, fakeGeneration('v2').model);
    expect(v1.events).toEqual(['v1 closed']);
  });
});
