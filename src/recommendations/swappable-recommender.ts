import type { ModelInfo, RecommendationModel } from '../inference/index.js';
import type { RecommendationRequest, RecommendationResult } from './recommendation-service.js';
import type { SimilarItemResult, SimilarItemsRequest } from './similar-items.js';

/** What the API needs to rank: the service itself, or a wrapper that batches or swaps it. */
export interface Recommender {
  recommend(requests: readonly RecommendationRequest[]): Promise<RecommendationResult[][]>;
  similarItems(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]>;
  readonly modelInfo: ModelInfo;
}

interface Generation {
  readonly recommender: Recommender;
  readonly model: RecommendationModel;
  inFlight: number;
  idle: (() => void) | null;
}

/**
 * Serves one model generation at a time and swaps in a new one without dropping requests: calls
 * that started on the old generation finish on it, and its model is closed only once they have.
 */
export class SwappableRecommender implements Recommender {
  private current: Generation;

  constructor(recommender: Recommender, model: RecommendationModel) {
    this.current = { recommender, model, inFlight: 0, idle: null };
  }

  get modelInfo(): ModelInfo {
    return this.current.recommender.modelInfo;
  }

  recommend(requests: readonly RecommendationRequest[]): Promise<RecommendationResult[][]> {
    return this.onCurrent((recommender) => recommender.recommend(requests));
  }

  similarItems(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]> {
    return this.onCurrent((recommender) => recommender.similarItems(requests));
  }

  /** Runs `work` on the current generation, which is not closed before it settles. */
  private async onCurrent<T>(work: (recommender: Recommender) => Promise<T>): Promise<T> {
    const generation = this.current;
    generation.inFlight++;
    try {
      return await work(generation.recommender);
    } finally {
      generation.inFlight--;
      if (generation.inFlight === 0) generation.idle?.();
    }
  }

  /** Makes `recommender` current; resolves once the previous generation has finished and closed. */
  async swap(recommender: Recommender, model: RecommendationModel): Promise<void> {
    const previous = this.current;
    this.current = { recommender, model, inFlight: 0, idle: null };
    await retire(previous);
  }

  /** Waits for in-flight calls, then closes the current model. */
  close(): Promise<void> {
    return retire(this.current);
  }
}

async function retire(generation: Generation): Promise<void> {
  if (generation.inFlight > 0) await new Promise<void>((resolve) => (generation.idle = resolve));
  await generation.model.close();
}
