import type { ItemRecord } from '../graph/index.js';
import type { ModelVocabulary } from '../inference/index.js';

export interface RecommendationFilter {
  readonly includeCategories?: readonly string[] | null;
  readonly excludeCategories?: readonly string[] | null;
  readonly excludeItemIds?: readonly string[] | null;
}

/**
 * Builds the model's `candidate_mask` rows: which of the model's items may be recommended to one
 * user under one filter. Categories are read from the store once, when the model is loaded.
 */
export class CandidateMasks {
  private readonly available: Float32Array;
  private readonly indicesByCategory = new Map<string, number[]>();

  constructor(
    private readonly vocabulary: ModelVocabulary,
    /** The store's record of each model item, in model order; null where the store lacks it. */
    catalogue: readonly (ItemRecord | null)[],
  ) {
    this.available = new Float32Array(vocabulary.itemCount);
    catalogue.forEach((item, index) => {
      if (item === null) return;
      this.available[index] = 1;
      if (item.category === null) return;
      const indices = this.indicesByCategory.get(item.category) ?? [];
      indices.push(index);
      this.indicesByCategory.set(item.category, indices);
    });
  }

  build(filter: RecommendationFilter | null | undefined, interactedItemIds: Iterable<string>): Float32Array {
    let mask: Float32Array;
    if (filter?.includeCategories) {
      mask = new Float32Array(this.available.length);
      for (const category of filter.includeCategories) {
        for (const index of this.indicesByCategory.get(category) ?? []) mask[index] = this.available[index]!;
      }
    } else {
      mask = this.available.slice();
    }
    for (const category of filter?.excludeCategories ?? []) {
      for (const index of this.indicesByCategory.get(category) ?? []) mask[index] = 0;
    }
    for (const ids of [filter?.excludeItemIds ?? [], interactedItemIds]) {
      for (const id of ids) {
        const index = this.vocabulary.itemIndex.get(id);
        if (index !== undefined) mask[index] = 0;
      }
    }
    return mask;
  }
}
