import type { Loaders } from '../context.js';
import type { RecommendationFilter as Filter, RecommendationRequest, SimilarItemsRequest } from '../recommendations/index.js';
import type { RecommendationFilter } from './generated/types.js';
import { category, count, id, list, MAX_PAGE_SIZE } from './arguments.js';
import { catalogueCategory } from './categories.js';

const MAX_IGNORED_ITEMS = 50;

/** Validates the arguments shared by `Query.recommendations` and `User.recommendations`. */
export async function recommendationRequest(
  loaders: Pick<Loaders, 'categories'>,
  userId: string,
  first: number,
  filter: RecommendationFilter | null | undefined,
  ignoreItemIds: readonly string[] | null | undefined,
  explain: boolean,
): Promise<RecommendationRequest> {
  return {
    userId: id('userId', userId),
    first: count('first', first, MAX_PAGE_SIZE),
    ignoreItemIds: ignoredItems(ignoreItemIds),
    explain,
    filter: await recommendationFilter(loaders, filter),
  };
}

/** Validates the arguments shared by `Query.similarItems` and `Item.similarItems`. */
export async function similarItemsRequest(
  loaders: Pick<Loaders, 'categories'>,
  itemId: string,
  first: number,
  filter: RecommendationFilter | null | undefined,
  userId: string | null | undefined,
): Promise<SimilarItemsRequest> {
  return {
    itemId: id('itemId', itemId),
    first: count('first', first, MAX_PAGE_SIZE),
    userId: userId == null ? null : id('userId', userId),
    filter: await recommendationFilter(loaders, filter),
  };
}

/** A filter with every entry checked and categories spelled as the catalogue spells them. */
async function recommendationFilter(loaders: Pick<Loaders, 'categories'>, filter: RecommendationFilter | null | undefined): Promise<Filter | null> {
  if (!filter) return null;
  const includeCategories = list('filter.includeCategories', filter.includeCategories, category);
  const excludeCategories = list('filter.excludeCategories', filter.excludeCategories, category);
  const excludeItemIds = list('filter.excludeItemIds', filter.excludeItemIds, id);
  const catalogue = includeCategories || excludeCategories ? await loaders.categories() : [];
  const spelled = (argument: string, categories: readonly string[] | null) =>
    categories && [...new Set(categories.flatMap((c, i) => catalogueCategory(`${argument}[${i}]`, c, catalogue)))];
  return {
    includeCategories: spelled('filter.includeCategories', includeCategories),
    excludeCategories: spelled('filter.excludeCategories', excludeCategories),
    excludeItemIds,
  };
}

/** Distinct and sorted, so that equal sets make equal DataLoader keys. */
function ignoredItems(itemIds: readonly string[] | null | undefined): readonly string[] | null {
  const ids = list('ignoreItemIds', itemIds, id, MAX_IGNORED_ITEMS);
  if (ids === null || ids.length === 0) return null;
  return [...new Set(ids)].sort();
}
