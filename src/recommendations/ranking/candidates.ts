import type { ItemRecord } from '../../graph/index.js';
import { EXCLUDED_SCORE_BIAS, type ModelVocabulary } from '../../inference/index.js';

export interface RecommendationFilter {
  readonly includeCategories?: readonly string[] | null;
  readonly excludeCategories?: readonly string[] | null;
  readonly excludeItemIds?: readonly string[] | null;
}

/**
 * Which of the model's items may be recommended, as the model's `score_bias` rows: 0 keeps an item,
 * `EXCLUDED_SCORE_BIAS` excludes it. It knows each item's category and whether the store offers it,
 * from the catalogue read when the model was loaded and every item record given to `update` since;
 * an item row it has no record for is never recommended.
 */
export class Candidates {
  private allowed = new Float32Array(0);
  private readonly categories: (string | null)[] = [];
  private readonly indicesByCategory = new Map<string, Set<number>>();

  constructor(
    private readonly vocabulary: ModelVocabulary,
    /** The store's record of each model item, in model order; null where the store lacks it. */
    catalogue: readonly (ItemRecord | null)[],
  ) {
    this.update(catalogue.flatMap((item) => (item ? [item] : [])));
  }

  /** Follows item writes: a record's category and availability apply to the next `bias` built. */
  update(records: readonly ItemRecord[]): void {
    this.fitVocabulary();
    for (const record of records) {
      const index = this.vocabulary.itemIndex.get(record.id);
      if (index === undefined) continue;
      const previous = this.categories[index] ?? null;
      if (previous !== null) this.indicesByCategory.get(previous)?.delete(index);
      this.categories[index] = record.category;
      if (record.category !== null) {
        const indices = this.indicesByCategory.get(record.category) ?? new Set<number>();
        indices.add(index);
        this.indicesByCategory.set(record.category, indices);
      }
      this.allowed[index] = record.available ? 0 : EXCLUDED_SCORE_BIAS;
    }
  }

  /** The score bias of one request; `onlyItemIds`, when given, excludes every other item as well. */
  bias(filter: RecommendationFilter | null | undefined, interactedItemIds: Iterable<string>, onlyItemIds?: readonly string[] | null): Float32Array {
    this.fitVocabulary();
    let bias: Float32Array;
    if (onlyItemIds) {
      bias = new Float32Array(this.allowed.length).fill(EXCLUDED_SCORE_BIAS);
      const categories = filter?.includeCategories && new Set(filter.includeCategories);
      for (const id of onlyItemIds) {
        const index = this.vocabulary.itemIndex.get(id);
        if (index === undefined) continue;
        const category = this.categories[index] ?? null;
        if (!categories || (category !== null && categories.has(category))) bias[index] = this.allowed[index]!;
      }
    } else if (filter?.includeCategories) {
      bias = new Float32Array(this.allowed.length).fill(EXCLUDED_SCORE_BIAS);
      for (const category of filter.includeCategories) {
        for (const index of this.indicesByCategory.get(category) ?? []) bias[index] = this.allowed[index]!;
      }
    } else {
      bias = this.allowed.slice();
    }
    for (const category of filter?.excludeCategories ?? []) {
      for (const index of this.indicesByCategory.get(category) ?? []) bias[index] = EXCLUDED_SCORE_BIAS;
    }
    for (const ids of [filter?.excludeItemIds ?? [], interactedItemIds]) {
      for (const id of ids) {
        const index = this.vocabulary.itemIndex.get(id);
        if (index !== undefined) bias[index] = EXCLUDED_SCORE_BIAS;
      }
    }
    return bias;
  }

  /** Rows added to the vocabulary since start excluded until a record says otherwise. */
  private fitVocabulary(): void {
    const n = this.vocabulary.itemCount;
    if (this.allowed.length === n) return;
    const allowed = new Float32Array(n).fill(EXCLUDED_SCORE_BIAS);
    allowed.set(this.allowed);
    this.allowed = allowed;
  }
}
