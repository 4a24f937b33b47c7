import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { popularityExplanation, ruleExplanation, withRules, type AppliedRule, type FallbackReason } from '../explain/index.js';
import type { GraphStore, ItemRecord } from '../graph/index.js';
import type { RecommendationRequest, RecommendationResult } from './recommendation-service.js';
import type { Recommender } from './swappable-recommender.js';

/** How deep a kept list ranks: pages reach this far. */
export const LIST_DEPTH = 500;

export interface RankedListsOptions {
  /** How long a list stays readable page by page after its first page, in ms. */
  readonly ttlMs: number;
  /** Lists kept at most (least recently read dropped first). */
  readonly maxLists: number;
}

/** Where a page starts: a kept list and the number of its items before the page. */
export interface ListPosition {
  readonly listId: string;
  readonly offset: number;
}

export interface ListPage {
  readonly listId: string;
  /** Names the whole list's answer, the same on every page (feedback attributes to it). */
  readonly recommendationId: string;
  readonly offset: number;
  readonly results: RecommendationResult[];
  readonly hasNextPage: boolean;
}

interface KeptList {
  /** The request the list answers, without its page size: a cursor is only good for the same one. */
  readonly key: string;
  readonly recommendationId: string;
  readonly itemIds: readonly string[];
  readonly scores: Float32Array;
  readonly rules: ReadonlyMap<number, readonly AppliedRule[]>;
  readonly fallback: FallbackReason | null;
}

/** A cursor that names no kept list for this request: expired, dropped, or from another process. */
export class ListExpiredError extends Error {}

/**
 * Ranked lists read page by page: the first page ranks `LIST_DEPTH` items once and keeps their
 * order, so later pages neither repeat nor skip items while the user keeps interacting. A page's
 * records are re-read (withdrawn items drop out) and, when explanations are read, its items are
 * ranked again by one model run restricted to them: explanations are exact for the model and
 * history of that moment, in the kept order.
 */
export class RankedLists {
  private readonly lists: LRUCache<string, KeptList>;

  constructor(
    private readonly recommender: Recommender,
    private readonly store: GraphStore,
    options: RankedListsOptions,
    /** Names a new list's answer. */
    private readonly newAnswerId: (request: RecommendationRequest) => string = () => randomUUID(),
  ) {
    this.lists = new LRUCache({ max: options.maxLists, ttl: options.ttlMs, updateAgeOnGet: false });
  }

  async page(request: RecommendationRequest, after: ListPosition | null): Promise<ListPage> {
    const key = listKey(request);
    let listId: string;
    let list: KeptList;
    if (after) {
      const kept = this.lists.get(after.listId);
      if (!kept || kept.key !== key) throw new ListExpiredError(after.listId);
      ({ listId } = after);
      list = kept;
    } else {
      listId = randomUUID();
      list = await this.rank(request, key);
      this.lists.set(listId, list);
    }
    const offset = after?.offset ?? 0;
    const end = Math.min(offset + request.first, list.itemIds.length);
    const results = await this.read(list, request, offset, end);
    return { listId, recommendationId: list.recommendationId, offset, results, hasNextPage: end < list.itemIds.length };
  }

  private async rank(request: RecommendationRequest, key: string): Promise<KeptList> {
    const [ranked] = await this.recommender.recommend([{ ...request, first: LIST_DEPTH, explain: false }]);
    const rules = new Map<number, readonly AppliedRule[]>();
    ranked!.forEach((r, k) => {
      if (r.rules.length > 0) rules.set(k, r.rules);
    });
    return {
      key,
      recommendationId: this.newAnswerId(request),
      itemIds: ranked!.map((r) => r.item.id),
      scores: Float32Array.from(ranked!, (r) => r.score),
      rules,
      fallback: ranked![0]?.fallback ?? null,
    };
  }

  private async read(list: KeptList, request: RecommendationRequest, offset: number, end: number): Promise<RecommendationResult[]> {
    const itemIds = list.itemIds.slice(offset, end);
    const explained =
      request.explain !== false && list.fallback === null
        ? await this.recommender.recommend([
            // The kept items passed the filter when ranked (or were pinned past it).
            { ...request, first: itemIds.length, filter: null, onlyItemIds: itemIds, policy: includeOnly(request) },
          ])
        : null;
    const fresh = explained ? new Map(explained[0]!.map((r) => [r.item.id, r])) : null;
    const records = await this.store.items(itemIds);
    return itemIds.flatMap((id, i) => {
      const item = records[i];
      const k = offset + i;
      const rules = list.rules.get(k) ?? [];
      // Withdrawn since the list was ranked, or no longer rankable for this user (then interacted with).
      if (!item?.available) return [];
      if (fresh && !fresh.has(id) && !rules.some((rule) => rule.kind === 'PIN')) return [];
      return [keptResult(item, k, list, rules, fresh, fresh?.get(id))];
    });
  }
}

/** Page runs keep the request's repeat-items choice; its other rules were applied when the list was ranked. */
function includeOnly(request: RecommendationRequest): RecommendationRequest['policy'] {
  if (!request.policy?.includeInteracted) return null;
  return { boosts: [], pins: [], includeInteracted: true, diversity: 0, maxPerCategory: null };
}

function keptResult(
  item: ItemRecord,
  k: number,
  list: KeptList,
  rules: readonly AppliedRule[],
  page: ReadonlyMap<string, RecommendationResult> | null,
  fresh: RecommendationResult | undefined,
): RecommendationResult {
  const base = { item, score: list.scores[k]!, rank: k + 1, rules, fallback: list.fallback };
  if (list.fallback !== null) return { ...base, explanation: withRules(popularityExplanation(list.fallback), rules) };
  // A pinned item the model has no row for: the rule is all there is to say.
  if (page && !fresh) return { ...base, explanation: ruleExplanation(rules, null) };
  if (!fresh) {
    return {
      ...base,
      get explanation(): never {
        throw new Error('this page was read without its explanations');
      },
    };
  }
  return {
    ...base,
    get explanation() {
      return withRules(fresh.explanation, rules);
    },
  };
}

function listKey({ userId, filter, ignoreItemIds, policy, variant }: RecommendationRequest): string {
  return JSON.stringify([userId, filter ?? null, ignoreItemIds ?? null, policy ?? null, variant ?? null]);
}
