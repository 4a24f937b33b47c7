import type { AppliedRule } from '../../explain/index.js';
import type { ItemRecord } from '../../graph/index.js';
import { maximalMarginalRelevance, type ItemSpace } from './diversity.js';

/** Multiplies the scores of matching items by `factor`: above 1 boosts, below 1 buries. */
export interface BoostRule {
  readonly name: string;
  /** Catalogue spellings; an item matches when its category is one of them or its id is in `itemIds`. */
  readonly categories: readonly string[];
  readonly itemIds: readonly string[];
  readonly factor: number;
}

/** Puts an item at a 1-based position of the answer, whatever its score. */
export interface PinRule {
  readonly name: string;
  readonly itemId: string;
  readonly position: number;
}

/**
 * How a ranked list is reordered after scoring and before the top `first` are taken: the one
 * place filters' companions (rules, diversity, category caps) are applied, for every kind of ranking.
 */
export interface RankingPolicy {
  readonly boosts: readonly BoostRule[];
  readonly pins: readonly PinRule[];
  /** Items the user already interacted with may be recommended (repeat purchases). */
  readonly includeInteracted: boolean;
  /** 0 ranks by relevance alone; towards 1, maximal marginal relevance over the model's item vectors. */
  readonly diversity: number;
  /** At most this many items of one category; null for no cap. Pinned items count, but are never dropped. */
  readonly maxPerCategory: number | null;
}

export interface Candidate<T> {
  readonly item: ItemRecord;
  /** The ranking's own score (the model's, or a popularity count). */
  readonly score: number;
  /** What the caller needs to build the result (e.g. the model rank, for its explanation). */
  readonly source: T;
}

export interface Placed<T> extends Candidate<T> {
  readonly rules: readonly AppliedRule[];
}

/**
 * Ranks beyond `first` asked of a ranking when a policy reorders it: rules and diversity choose
 * among the best `first + POLICY_POOL` candidates. A boosted item ranked below that stays out.
 */
export const POLICY_POOL = 100;

/**
 * Under a category cap, candidates per category the answer must span: a user's best 100 items
 * often cover two or three categories (on the demo data, a cap of 4 on a top 20 then filled 9.8
 * places; with 250 candidates, 19.3 of 20; bench:diversity), so the pool grows with
 * ⌈first / cap⌉, up to `MAX_CAPPED_POOL`.
 */
export const CAPPED_POOL_PER_CATEGORY = 50;
export const MAX_CAPPED_POOL = 400;

/** Whether `policy` can change the order or membership of a plain top-`first` list. */
export function reorders(policy: RankingPolicy | null | undefined): policy is RankingPolicy {
  return !!policy && (policy.boosts.length > 0 || policy.pins.length > 0 || policy.diversity > 0 || policy.maxPerCategory !== null);
}

/** How many ranked candidates a request needs to be answered under `policy`. */
export function poolSize(first: number, policy: RankingPolicy | null | undefined): number {
  if (!reorders(policy)) return first;
  if (policy.maxPerCategory === null) return first + POLICY_POOL;
  const categories = Math.ceil(first / policy.maxPerCategory);
  return first + Math.min(MAX_CAPPED_POOL, Math.max(POLICY_POOL, CAPPED_POOL_PER_CATEGORY * categories));
}

/**
 * Applies `policy` to `ranked` (best first, already filtered): boosts scale scores, diversity and
 * the category cap choose the order greedily, then pins take their positions. `pinned` holds the
 * pinned items that are not among `ranked` (available ones only), each with its score if known.
 */
export function applyPolicy<T>(
  ranked: readonly Candidate<T>[],
  policy: RankingPolicy | null | undefined,
  first: number,
  { space, pinned = [] }: { readonly space?: ItemSpace; readonly pinned?: readonly Candidate<T>[] } = {},
): Placed<T>[] {
  if (!reorders(policy)) return ranked.slice(0, first).map((c) => ({ ...c, rules: [] }));

  const pins = policy.pins.filter((pin) => pin.position <= first);
  const pinnedIds = new Set(pins.map((pin) => pin.itemId));
  const boosted = ranked.filter((c) => !pinnedIds.has(c.item.id)).map((c) => boost(c, policy.boosts));
  boosted.sort((a, b) => b.adjusted - a.adjusted);

  const pinnedByPosition = new Map<number, Placed<T>>();
  const candidates = new Map([...ranked, ...pinned].map((c) => [c.item.id, c]));
  for (const pin of pins) {
    const candidate = candidates.get(pin.itemId);
    if (candidate) pinnedByPosition.set(pin.position, { ...candidate, rules: [{ kind: 'PIN', name: pin.name, position: pin.position }] });
  }

  const perCategory = new Map<string, number>();
  for (const { item } of pinnedByPosition.values()) countCategory(perCategory, item);
  const fits = (item: ItemRecord) =>
    policy.maxPerCategory === null || item.category === null || (perCategory.get(item.category) ?? 0) < policy.maxPerCategory;

  const free = first - pinnedByPosition.size;
  const chosen = maximalMarginalRelevance(boosted, free, policy.diversity, space, fits, (c) => countCategory(perCategory, c.item));

  const placed: Placed<T>[] = [];
  let next = 0;
  for (let position = 1; placed.length < first; position++) {
    const pin = pinnedByPosition.get(position);
    if (pin) placed.push(pin);
    else if (next < chosen.length) placed.push(withoutAdjustment(chosen[next++]!));
    else if (position > first) break;
  }
  return placed;
}

interface Boosted<T> extends Placed<T> {
  readonly adjusted: number;
}

const NO_RULES: readonly AppliedRule[] = [];

function boost<T>(candidate: Candidate<T>, boosts: readonly BoostRule[]): Boosted<T> {
  if (boosts.length === 0) return { ...candidate, adjusted: candidate.score, rules: NO_RULES };
  let adjusted = candidate.score;
  const rules: AppliedRule[] = [];
  for (const rule of boosts) {
    const matches = rule.itemIds.includes(candidate.item.id) || (candidate.item.category !== null && rule.categories.includes(candidate.item.category));
    if (!matches) continue;
    // Scaling a negative score by a boost would lower it: divide instead, so a boost always raises.
    adjusted = adjusted >= 0 ? adjusted * rule.factor : adjusted / rule.factor;
    rules.push({ kind: rule.factor > 1 ? 'BOOST' : 'BURY', name: rule.name, factor: rule.factor });
  }
  return { ...candidate, adjusted, rules };
}

function withoutAdjustment<T>({ adjusted: _, ...placed }: Boosted<T>): Placed<T> {
  return placed;
}

function countCategory(counts: Map<string, number>, item: ItemRecord): void {
  if (item.category !== null) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
}
