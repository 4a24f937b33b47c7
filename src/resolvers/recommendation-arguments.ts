import type { RecommendationRequest } from '../recommendations/index.js';
import type { RecommendationFilter } from './generated/types.js';
import { category, count, id, list, MAX_PAGE_SIZE } from './arguments.js';

const MAX_IGNORED_ITEMS = 50;

/** Validates the arguments shared by `Query.recommendations` and `User.recommendations`. */
export function recommendationRequest(
  userId: string,
  first: number,
  filter: RecommendationFilter | null | undefined,
  ignoreItemIds: readonly string[] | null | undefined,
  explain: boolean,
): RecommendationRequest {
  return {
    userId: id('userId', userId),
    first: count('first', first, MAX_PAGE_SIZE),
    filter: filter
      ? {
          includeCategories: list('filter.includeCategories', filter.includeCategories, category),
          excludeCategories: list('filter.excludeCategories', filter.excludeCategories, category),
          excludeItemIds: list('filter.excludeItemIds', filter.excludeItemIds, id),
        }
      : null,
    ignoreItemIds: ignoredItems(ignoreItemIds),
    explain,
  };
}

/** Distinct and sorted, so that equal sets make equal DataLoader keys. */
function ignoredItems(itemIds: readonly string[] | null | undefined): readonly string[] | null {
  const ids = list('ignoreItemIds', itemIds, id, MAX_IGNORED_ITEMS);
  if (ids === null || ids.length === 0) return null;
  return [...new Set(ids)].sort();
}
