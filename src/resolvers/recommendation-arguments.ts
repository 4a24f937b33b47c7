import type { Loaders } from '../context.js';
import { BadUserInputError } from '../errors.js';
import type {
  BoostRule,
  RecommendationFilter as Filter,
  PinRule,
  RankingPolicy,
  RecommendationRequest,
  SessionItem,
  SimilarItemsRequest,
} from '../recommendations/index.js';
import type { RankingBoost, RankingPin, RankingRules, RecommendationContext, RecommendationFilter } from './generated/types.js';
import { category, count, id, list, MAX_PAGE_SIZE } from './arguments.js';
import { catalogueCategory } from './categories.js';

const MAX_IGNORED_ITEMS = 50;
export const MAX_SESSION_ITEMS = 50;
const MAX_RULES = 20;
const MAX_BOOSTED_ITEMS = 100;
const MAX_BOOST_FACTOR = 100;
const MAX_RULE_NAME = 100;

/** The arguments shared by `Query.recommendations` and `User.recommendations`. */
export interface RecommendationArguments {
  readonly first: number;
  readonly filter?: RecommendationFilter | null;
  readonly ignoreItemIds?: readonly string[] | null;
  readonly rules?: RankingRules | null;
  readonly diversity?: number | null;
  readonly maxPerCategory?: number | null;
  /** The items of a visit, most recent first (`Query.recommendations` and `User.recommendations`). */
  readonly context?: RecommendationContext | null;
}

/** Validates the arguments shared by `Query.recommendations` and `User.recommendations`. */
export async function recommendationRequest(
  loaders: Pick<Loaders, 'categories'>,
  userId: string | null | undefined,
  args: RecommendationArguments,
  explain: boolean,
): Promise<RecommendationRequest> {
  const { context } = args;
  if (userId == null && context == null) {
    throw new BadUserInputError('Give `userId`, `context` or both: recommendations need a user or the items of a visit.', { argument: 'userId' });
  }
  const request = {
    userId: userId == null ? null : id('userId', userId),
    session: context == null ? null : sessionItems(context),
    first: count('first', args.first, MAX_PAGE_SIZE),
    ignoreItemIds: ignoredItems(args.ignoreItemIds),
    explain,
  };
  return { ...request, filter: await recommendationFilter(loaders, args.filter), policy: await rankingPolicyOf(loaders, args) };
}

/**
 * Validates ranking rules, diversity and a category cap (a request's, or an experiment variant's
 * at start); null when they would change nothing.
 */
export async function rankingPolicyOf(
  loaders: Pick<Loaders, 'categories'>,
  args: Pick<RecommendationArguments, 'rules' | 'diversity' | 'maxPerCategory'>,
): Promise<RankingPolicy | null> {
  const boosts = list('rules.boosts', args.rules?.boosts, (_, boost) => boost, MAX_RULES);
  const catalogue = boosts?.some((b) => b.categories?.length) ? await loaders.categories() : [];
  return rankingPolicy(args, (boost, i) => boostRule(`rules.boosts[${i}]`, boost, (argument, categories) => spelled(argument, categories, catalogue)));
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
  return {
    includeCategories: spelled('filter.includeCategories', includeCategories, catalogue),
    excludeCategories: spelled('filter.excludeCategories', excludeCategories, catalogue),
    excludeItemIds,
  };
}

/** Categories as the catalogue spells them, each once; a category the catalogue lacks is bad input. */
function spelled(argument: string, categories: readonly string[] | null, catalogue: readonly string[]): readonly string[] | null {
  return categories && [...new Set(categories.flatMap((c, i) => catalogueCategory(`${argument}[${i}]`, c, catalogue)))];
}

/** Null when nothing would change the plain ranking, so equal requests keep equal DataLoader keys. */
function rankingPolicy(args: Pick<RecommendationArguments, 'rules' | 'diversity' | 'maxPerCategory'>, boostRuleOf: (boost: RankingBoost, index: number) => BoostRule): RankingPolicy | null {
  const diversity = args.diversity ?? 0;
  if (!(Number.isFinite(diversity) && diversity >= 0 && diversity <= 1)) {
    throw new BadUserInputError(`\`diversity\` must be between 0 and 1; got ${diversity}.`, { argument: 'diversity' });
  }
  const maxPerCategory = args.maxPerCategory == null ? null : count('maxPerCategory', args.maxPerCategory, MAX_PAGE_SIZE);
  const boosts = (args.rules?.boosts ?? []).map(boostRuleOf);
  const pins = pinRules(args.rules?.pins);
  const includeInteracted = args.rules?.includeInteracted ?? false;
  if (diversity === 0 && maxPerCategory === null && boosts.length === 0 && pins.length === 0 && !includeInteracted) return null;
  return { boosts, pins, includeInteracted, diversity, maxPerCategory };
}

function boostRule(
  argument: string,
  boost: RankingBoost,
  spelled: (argument: string, categories: readonly string[] | null) => readonly string[] | null,
): BoostRule {
  const { factor } = boost;
  if (!(Number.isFinite(factor) && factor > 0 && factor <= MAX_BOOST_FACTOR)) {
    throw new BadUserInputError(`\`${argument}.factor\` must be greater than 0 and at most ${MAX_BOOST_FACTOR}; got ${factor}.`, { argument });
  }
  const categories = spelled(`${argument}.categories`, list(`${argument}.categories`, boost.categories, category)) ?? [];
  const itemIds = [...new Set(list(`${argument}.itemIds`, boost.itemIds, id, MAX_BOOSTED_ITEMS) ?? [])];
  if (categories.length === 0 && itemIds.length === 0) {
    throw new BadUserInputError(`\`${argument}\` must name at least one category or item.`, { argument });
  }
  const described = `${factor >= 1 ? 'boost' : 'bury'} ${[...categories, ...itemIds].join(', ')} ×${factor}`;
  return { name: ruleName(`${argument}.name`, boost.name, described), categories, itemIds, factor };
}

function pinRules(pins: readonly RankingPin[] | null | undefined): PinRule[] {
  const checked = list('rules.pins', pins, (_, pin) => pin, MAX_RULES) ?? [];
  const items = new Set<string>();
  const positions = new Set<number>();
  return checked.map((pin, i) => {
    const argument = `rules.pins[${i}]`;
    const itemId = id(`${argument}.itemId`, pin.itemId);
    const position = count(`${argument}.position`, pin.position, MAX_PAGE_SIZE);
    if (items.has(itemId) || positions.has(position)) {
      throw new BadUserInputError(`\`${argument}\` pins an item or a position another pin already has.`, { argument });
    }
    items.add(itemId);
    positions.add(position);
    return { name: ruleName(`${argument}.name`, pin.name, `pin ${itemId} at ${position}`), itemId, position };
  });
}

/** A name given to a rule, or the description it defaults to (cut to the length a name may have). */
function ruleName(argument: string, name: string | null | undefined, described: string): string {
  if (name == null) return described.length <= MAX_RULE_NAME ? described : `${described.slice(0, MAX_RULE_NAME - 1)}…`;
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_RULE_NAME || /[\u0000-\u001f\u007f]/u.test(name)) {
    throw new BadUserInputError(`\`${argument}\` must be 1 to ${MAX_RULE_NAME} characters long, without control characters.`, { argument });
  }
  return name;
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
