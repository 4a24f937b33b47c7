import type { Loaders } from '../context.js';
import { BadUserInputError } from '../errors.js';
import type { RecommendationRequest, SessionItem } from '../recommendations/index.js';
import type { RecommendationContext, RecommendationFilter } from './generated/types.js';
import { category, count, id, list, MAX_PAGE_SIZE } from './arguments.js';
import { catalogueCategory } from './categories.js';

const MAX_IGNORED_ITEMS = 50;
export const MAX_SESSION_ITEMS = 50;

/** Validates the arguments shared by `Query.recommendations` and `User.recommendations`. */
export async function recommendationRequest(
  loaders: Pick<Loaders, 'categories'>,
  userId: string | null | undefined,
  first: number,
  filter: RecommendationFilter | null | undefined,
  ignoreItemIds: readonly string[] | null | undefined,
  explain: boolean,
  context: RecommendationContext | null | undefined = null,
): Promise<RecommendationRequest> {
  if (userId == null && context == null) {
    throw new BadUserInputError('Give `userId`, `context` or both: recommendations need a user or the items of a visit.', { argument: 'userId' });
  }
  const request = {
    userId: userId == null ? null : id('userId', userId),
    session: context == null ? null : sessionItems(context),
    first: count('first', first, MAX_PAGE_SIZE),
    ignoreItemIds: ignoredItems(ignoreItemIds),
    explain,
  };
  if (!filter) return { ...request, filter: null };
  const includeCategories = list('filter.includeCategories', filter.includeCategories, category);
  const excludeCategories = list('filter.excludeCategories', filter.excludeCategories, category);
  const excludeItemIds = list('filter.excludeItemIds', filter.excludeItemIds, id);
  const catalogue = includeCategories || excludeCategories ? await loaders.categories() : [];
  const spelled = (argument: string, categories: readonly string[] | null) =>
    categories && [...new Set(categories.flatMap((c, i) => catalogueCategory(`${argument}[${i}]`, c, catalogue)))];
  return {
    ...request,
    filter: {
      includeCategories: spelled('filter.includeCategories', includeCategories),
      excludeCategories: spelled('filter.excludeCategories', excludeCategories),
      excludeItemIds,
    },
  };
}

/** Distinct and sorted, so that equal sets make equal DataLoader keys. */
function ignoredItems(itemIds: readonly string[] | null | undefined): readonly string[] | null {
  const ids = list('ignoreItemIds', itemIds, id, MAX_IGNORED_ITEMS);
  if (ids === null || ids.length === 0) return null;
  return [...new Set(ids)].sort();
}

/** The visit's items in the given order (most recent first), each with its type (`VIEW` when none is given). */
function sessionItems(context: RecommendationContext): readonly SessionItem[] {
  const itemIds = list('context.itemIds', context.itemIds, id, MAX_SESSION_ITEMS)!;
  const types = context.types;
  if (types != null && types.length !== itemIds.length) {
    throw new BadUserInputError(`\`context.types\` must be as long as \`context.itemIds\` (${itemIds.length}); got ${types.length}.`, {
      argument: 'context.types',
    });
  }
  return itemIds.map((itemId, i) => ({ itemId, type: types?.[i] ?? 'VIEW' }));
}
