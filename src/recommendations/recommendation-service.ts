import type { GraphStore, ItemRecord, Neighbourhood, PopularItem, PopularItemsQuery } from '../graph/index.js';
import {
  attentionExplanation,
  popularityExplanation,
  ruleExplanation,
  withRules,
  type AppliedRule,
  type ExplanationModel,
  type FallbackReason,
} from '../explain/index.js';
import { assembleBatch, dot, readUserScores, type RecommendationModel } from '../inference/index.js';
import { Candidates, type RecommendationFilter } from './ranking/candidates.js';
import type { ItemSpace } from './ranking/diversity.js';
import { applyPolicy, poolSize, type Candidate, type RankingPolicy } from './ranking/policy.js';
import { withoutInteractions } from './ignored-interactions.js';
import { NewItems, type ContentVectors, type ItemKnowledge } from './new-items.js';
import { ResultCache, type ResultCacheListener } from './result-cache.js';
import { readSessionEvidence, sessionNeighbourhood, type SessionItem } from './session-neighbourhood.js';
import { SimilarItems, type SimilarItemResult, type SimilarItemsRequest } from './similar-items.js';

/** What the serving side must hear of catalogue and interaction writes, and what it knows of items. */
export interface CatalogueFollower {
  /** Item records were written: categories, availability and content vectors follow. */
  itemsChanged(itemIds: readonly string[]): Promise<void>;
  /** Interactions with these items were recorded: items without trained rows are estimated again. */
  interactionsRecorded(itemIds: readonly string[]): Promise<void>;
  knowledgeOf(itemId: string): ItemKnowledge;
  coverage(): CatalogueCoverage;
}

/** How many of the store's catalogue items the serving model knows, and how. */
export interface CatalogueCoverage {
  readonly items: number;
  readonly trained: number;
  readonly inductive: number;
  readonly content: number;
  /** Items without a row: never recommended. */
  readonly none: number;
}

/** Below this share of the catalogue known to the model, start and readiness warn. */
export const LOW_COVERAGE = 0.5;

/** The warning start and `/readyz` give when the model knows less than half of the catalogue, else null. */
export function coverageWarning(coverage: CatalogueCoverage): string | null {
  const known = coverage.items - coverage.none;
  if (coverage.items === 0 || known >= LOW_COVERAGE * coverage.items) return null;
  const percent = Math.round((100 * known) / coverage.items);
  return (
    `The serving model knows ${known} of the catalogue's ${coverage.items} items (${percent} %; ${coverage.trained} trained, ` +
    `${coverage.inductive} from their interactions, ${coverage.content} from their text): train it on your data (README, "Train on your data").`
  );
}

/**
 * Ranks asked of the model beyond what a request returns: the records read after ranking are the
 * store's word, and an item withdrawn meanwhile (by another process, within one catalogue sync) is
 * dropped and the next one moves up. Contributions are computed for the ranks returned only, so
 * an explained answer is shortened instead.
 */
const WITHDRAWN_SLACK = 5;

/** Items read per page when a service estimates every item its model was not trained on. */
const CATALOGUE_PAGE = 1000;

export interface RecommendationRequest {
  /** The stored user to rank for; null for an anonymous visitor known by `session` alone. */
  readonly userId: string | null;
  /** The experiment variant serving the request (`src/experiments`); none outside an experiment. */
  readonly variant?: string | null;
  /**
   * Items the visitor interacted with in this session, most recent first: they join the user's
   * history (or are the whole history) for this answer only; nothing is written.
   */
  readonly session?: readonly SessionItem[] | null;
  readonly first: number;
  readonly filter?: RecommendationFilter | null;
  /** Business rules, diversity and category caps, applied after scoring (`ranking/policy.ts`). */
  readonly policy?: RankingPolicy | null;
  /** Rank these items only (a page of a kept list, `ranked-lists.ts`); the filter still applies. */
  readonly onlyItemIds?: readonly string[] | null;
  /** Rank as if the user had never interacted with these items ("what if"); nothing is written. */
  readonly ignoreItemIds?: readonly string[] | null;
  /**
   * Whether the results' explanations will be read (true when left out). Without them the model
   * computes no contributions for this request; reading an explanation then throws.
   */
  readonly explain?: boolean;
}

/** The steps of a batch whose durations the service reports. */
export type RecommendationStage = 'store' | 'tensors' | 'onnx' | 'explain';

/** Receives each stage's duration in seconds, e.g. for metrics; the service does not care where. */
export type StageTimer = (stage: RecommendationStage, seconds: number) => void;

const noTiming: StageTimer = () => {};

/** Keeping user-independent results between requests (`RESULT_CACHE`; result-cache.ts). */
export interface ResultCacheOptions {
  /** Entries per cache (the popularity rankings; the similar-items answers). */
  readonly maxEntries: number;
  readonly listener?: ResultCacheListener;
}

/** The two caches of a service; both forgotten whenever the store's write revision moves. */
interface ResultCaches {
  readonly popularity: ResultCache<PopularItem[]>;
  readonly similarItems: ResultCache<SimilarItemResult[]>;
}

/** Runs `work`, reporting its duration to `timer` under `stage`; a promise is timed until it settles. */
function timed<T>(timer: StageTimer, stage: RecommendationStage, work: () => T): T {
  const start = process.hrtime.bigint();
  const stop = () => timer(stage, Number(process.hrtime.bigint() - start) / 1e9);
  let result: T;
  try {
    result = work();
  } catch (error) {
    stop();
    throw error;
  }
  if (result instanceof Promise) return result.finally(stop) as T;
  stop();
  return result;
}

export interface RecommendationResult {
  readonly item: ItemRecord;
  readonly score: number;
  readonly rank: number;
  /** The business rules that moved the item; the explanation names them too. */
  readonly rules: readonly AppliedRule[];
  /** Why popularity ranked it instead of the model; null when the model did. */
  readonly fallback: FallbackReason | null;
  readonly explanation: ExplanationModel;
}

/**
 * A result whose explanation is built on first read and kept: most queries that rank many users
 * select no explanation, and building one sorts every neighbour of the user.
 */
function withLazyExplanation(ranked: Omit<RecommendationResult, 'explanation'>, explain: () => ExplanationModel): RecommendationResult {
  let explanation: ExplanationModel | undefined;
  return {
    ...ranked,
    get explanation() {
      return (explanation ??= explain());
    },
  };
}

function explanationNotRequested(): never {
  throw new Error('this recommendation was ranked without its explanation: its request had explain: false');
}

/**
 * Turns a batch of recommendation requests into ranked, explained items with one store call for
 * all neighbourhoods and one model run for every user the model can rank. Users the model cannot
 * rank get a flagged popularity fallback.
 */
export class RecommendationService implements CatalogueFollower {
  private readonly newItems: NewItems;
  private readonly similar: SimilarItems;
  /** Every catalogue item seen in the store, and how many of them the model was trained on. */
  private readonly storeItems = new Set<string>();
  private trainedInStore = 0;
  /** The model's candidate vectors, which diversity compares items by. */
  private readonly space: ItemSpace;

  private constructor(
    private readonly store: GraphStore,
    private readonly model: RecommendationModel,
    private readonly candidates: Candidates,
    private readonly timer: StageTimer,
    content: ContentVectors | null,
    private readonly caches: ResultCaches | null,
  ) {
    this.newItems = new NewItems(store, model, content);
    this.space = {
      vector: (itemId) => {
        const index = model.vocabulary.itemIndex.get(itemId);
        const d = model.metadata.embeddingDim;
        // A view into the served table: read at once, before the next row write.
        return index === undefined ? null : model.candidateRows().subarray(index * d, (index + 1) * d);
      },
    };
    this.similar = new SimilarItems(store, model, candidates);
  }

  /**
   * A service for `model`, with a row estimated for every catalogue item the model was not trained
   * on; with `resultCache`, it keeps the results that depend on no user's history between requests.
   */
  static async create(
    store: GraphStore,
    model: RecommendationModel,
    {
      timer = noTiming,
      content = null,
      resultCache = null,
    }: { readonly timer?: StageTimer; readonly content?: ContentVectors | null; readonly resultCache?: ResultCacheOptions | null } = {},
  ): Promise<RecommendationService> {
    const catalogue = await store.items(model.metadata.items);
    const caches = resultCache && {
      popularity: new ResultCache<PopularItem[]>('popularity', resultCache.maxEntries, resultCache.listener),
      similarItems: new ResultCache<SimilarItemResult[]>('similar_items', resultCache.maxEntries, resultCache.listener),
    };
    const service = new RecommendationService(store, model, new Candidates(model.vocabulary, catalogue), timer, content, caches);
    await service.estimateCatalogue();
    return service;
  }

  coverage(): CatalogueCoverage {
    const { INDUCTIVE: inductive, CONTENT: content } = this.newItems.counts();
    const items = this.storeItems.size;
    return { items, trained: this.trainedInStore, inductive, content, none: items - this.trainedInStore - inductive - content };
  }

  knowledgeOf(itemId: string): ItemKnowledge {
    return this.newItems.knowledgeOf(itemId);
  }

  async itemsChanged(itemIds: readonly string[]): Promise<void> {
    const records = (await this.store.items(itemIds)).flatMap((r) => (r ? [r] : []));
    this.count(records);
    await this.newItems.refresh(records);
    this.candidates.update(records);
    // Cached answers were ranked with the candidates and item rows as they were before.
    this.caches?.popularity.invalidate();
    this.caches?.similarItems.invalidate();
  }

  private count(records: readonly ItemRecord[]): void {
    for (const { id } of records) {
      if (this.storeItems.has(id)) continue;
      this.storeItems.add(id);
      if (this.model.vocabulary.isTrained(id)) this.trainedInStore++;
    }
  }

  async interactionsRecorded(itemIds: readonly string[]): Promise<void> {
    const untrained = [...new Set(itemIds)].filter((id) => !this.model.vocabulary.isTrained(id));
    if (untrained.length > 0) await this.itemsChanged(untrained);
  }

  private async estimateCatalogue(): Promise<void> {
    let afterId: string | null = null;
    for (;;) {
      const page = await this.store.listItems({ first: CATALOGUE_PAGE, afterId });
      this.count(page.records);
      const untrained = page.records.filter((item) => !this.model.vocabulary.isTrained(item.id));
      await this.newItems.refresh(untrained);
      this.candidates.update(untrained);
      if (!page.hasNextPage || page.records.length === 0) return;
      afterId = page.records.at(-1)!.id;
    }
  }

  get modelInfo() {
    return this.model.info;
  }

  async recommend(requests: readonly RecommendationRequest[]): Promise<RecommendationResult[][]> {
    const [hop1, hop2] = this.model.metadata.fanouts;
    const userIds = [...new Set(requests.flatMap((r) => (r.userId === null ? [] : [r.userId])))];
    // Each ignored item frees at most one hop-1 slot: read that many more so later items fill it.
    const margin = Math.max(0, ...requests.map((r) => r.ignoreItemIds?.length ?? 0));
    const [fetched, sessionEvidence] = await timed(this.timer, 'store', () =>
      Promise.all([
        userIds.length === 0 ? [] : this.store.neighbourhoods(userIds, { hop1: hop1 + margin, hop2 }),
        readSessionEvidence(
          this.store,
          requests.map((r) => r.session ?? []),
          hop2,
        ),
      ]),
    );
    const byUser = new Map(fetched.map((n) => [n.userId, n]));
    const now = new Date();

    const ranked: { request: RecommendationRequest; index: number }[] = [];
    const fallbacks: {
      request: RecommendationRequest;
      index: number;
      reason: FallbackReason;
      neighbourhood: Neighbourhood;
    }[] = [];
    const modelled: Neighbourhood[] = [];
    const results: RecommendationResult[][] = requests.map(() => []);

    requests.forEach((request, index) => {
      const history = request.userId === null ? null : withoutInteractions(byUser.get(request.userId)!, request.ignoreItemIds, hop1);
      // An empty visit changes nothing for a user; without a user it is a visit with nothing to rank from.
      const session = request.session?.length ? request.session : history ? null : [];
      const neighbourhood = session ? sessionNeighbourhood(history, session, sessionEvidence, { hop1, hop2 }, now) : history!;
      const reason = session ? this.sessionFallbackReason(neighbourhood) : this.fallbackReason(neighbourhood);
      if (reason) {
        fallbacks.push({ request, index, reason, neighbourhood });
      } else {
        ranked.push({ request, index });
        modelled.push(neighbourhood);
      }
    });

    await Promise.all([
      this.rankWithModel(
        ranked.map((r) => r.request),
        modelled,
      ).then((lists) => lists.forEach((list, row) => (results[ranked[row]!.index] = list))),
      ...fallbacks.map(async ({ request, index, reason, neighbourhood }) => {
        results[index] = await this.rankByPopularity(request, neighbourhood, reason);
      }),
    ]);
    return results;
  }

  /**
   * Items like each request's item, by the model's item space; aligned with `requests`. An answer
   * for no user depends on the item, `first` and the filter alone, so it is cached.
   */
  async similarItems(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]> {
    const cache = this.caches?.similarItems;
    if (!cache || requests.every((r) => r.userId)) return this.similar.rank(requests);
    const revision = await this.store.writeRevision();
    return cache.getMany(
      revision,
      requests,
      (r) => (r.userId ? null : JSON.stringify([r.itemId, r.first, r.filter ?? null])),
      (missing) => this.similar.rank(missing),
    );
  }

  private fallbackReason(neighbourhood: Neighbourhood): FallbackReason | null {
    if (!neighbourhood.userExists) return 'UNKNOWN_USER';
    if (neighbourhood.items.length === 0) return 'NO_INTERACTIONS';
    const known = neighbourhood.items.some((n) => this.model.vocabulary.itemIndex.has(n.item.id));
    return known ? null : 'NO_MODELLED_INTERACTIONS';
  }

  /** A request with a session falls back only when neither its session nor its history has an item the model knows. */
  private sessionFallbackReason(neighbourhood: Neighbourhood): FallbackReason | null {
    return neighbourhood.items.some((n) => this.model.vocabulary.itemIndex.has(n.item.id)) ? null : 'NO_MODELLED_SESSION_ITEMS';
  }

  /** One model run for all `requests`; results are aligned with them. */
  private async rankWithModel(
    requests: readonly RecommendationRequest[],
    neighbourhoods: readonly Neighbourhood[],
  ): Promise<RecommendationResult[][]> {
    if (requests.length === 0) return [];
    const vocabulary = this.model.vocabulary;
    const topK = Math.max(...requests.map((r) => poolSize(r.first, r.policy))) + WITHDRAWN_SLACK;
    const batch = await timed(this.timer, 'tensors', () => {
      const biases = requests.map((request, row) =>
        this.candidates.bias(request.filter, request.policy?.includeInteracted ? [] : neighbourhoods[row]!.interactedItemIds, request.onlyItemIds),
      );
      return assembleBatch(neighbourhoods, biases, vocabulary, topK, this.explainedRanks(requests, topK));
    });
    const outputs = await timed(this.timer, 'onnx', () => this.model.run(batch.inputs));
    const itemId = (index: number) => vocabulary.itemId(index);
    const rows = requests.map((_, row) => {
      const scores = readUserScores(outputs, row);
      return { scores, ranked: scores.ranked };
    });
    // The items' records go in the results, so resolving `item` is a property read, not a load.
    const pinnedIds = requests.flatMap((r) => r.policy?.pins.map((pin) => pin.itemId) ?? []);
    const ids = [...new Set([...rows.flatMap((r) => r.ranked.map((ranked) => itemId(ranked.itemIndex))), ...pinnedIds])];
    const records = await timed(this.timer, 'store', () => this.store.items(ids));
    const byId = new Map(records.flatMap((record) => (record ? [[record.id, record] as const] : [])));
    const version = this.model.info.version;
    return rows.map(({ scores, ranked }, row) => {
      const request = requests[row]!;
      const explained = request.explain !== false;
      const candidates: Candidate<number | null>[] = ranked.flatMap((r, k) => {
        const item = byId.get(itemId(r.itemIndex));
        // Gone, or withdrawn by another process since this one last followed the catalogue. Contributions
        // exist for the explained ranks only: an explained answer that lost items this way comes back
        // shorter rather than with an item it cannot explain.
        if (!item?.available || (explained && k >= scores.explainedRanks)) return [];
        return [{ item, score: r.score, source: k }];
      });
      const pinned = this.pinnedOutside(request, candidates, byId, scores.userVector);
      return applyPolicy(candidates, request.policy, request.first, { space: this.space, pinned }).map(({ item, score, source: k, rules }, position) => {
        const explain = !explained
          ? explanationNotRequested
          : k === null
            ? () => ruleExplanation(rules, version)
            : () =>
                timed(this.timer, 'explain', () =>
                  withRules(
                    attentionExplanation(scores, k, batch.slots[row]!, version, this.newItems.knowledgeOf(item.id) === 'CONTENT'),
                    rules,
                  ),
                );
        return withLazyExplanation({ item, score, rank: position + 1, rules, fallback: null }, explain);
      });
    });
  }

  /**
   * The available items `request` pins that its ranking did not reach, scored as the model would
   * have (`⟨h_u, candidate⟩`), or 0 for an item the model has no row for.
   */
  private pinnedOutside(
    request: RecommendationRequest,
    ranked: readonly Candidate<unknown>[],
    byId: ReadonlyMap<string, ItemRecord>,
    userVector: Float32Array,
  ): Candidate<null>[] {
    const reached = new Set(ranked.map((c) => c.item.id));
    return (request.policy?.pins ?? []).flatMap(({ itemId }) => {
      const item = byId.get(itemId);
      if (!item?.available || reached.has(itemId)) return [];
      const vector = this.space.vector(itemId);
      return [{ item, score: vector ? dot(userVector, vector) : 0, source: null }];
    });
  }

  /**
   * Contributions are computed only for the ranks that will be explained: the first `first` of
   * every request that wants explanations, none at all when no request does.
   */
  private explainedRanks(requests: readonly RecommendationRequest[], topK: number): number {
    const explained = requests.filter((r) => r.explain !== false).map((r) => poolSize(r.first, r.policy));
    return Math.min(topK, this.model.vocabulary.itemCount, Math.max(0, ...explained));
  }

  /**
   * The store's popularity ranking; from the cache when `shared`, i.e. when nothing of one user's
   * history (their interacted items) is excluded from it.
   */
  private async popularItems(query: PopularItemsQuery, shared: boolean): Promise<PopularItem[]> {
    const cache = this.caches?.popularity;
    if (!cache || !shared) return this.store.popularItems(query);
    const { limit, includeCategories, excludeCategories, excludeItemIds } = query;
    const key = JSON.stringify([limit, includeCategories ?? null, excludeCategories ?? null, [...(excludeItemIds ?? [])]]);
    return cache.get(await this.store.writeRevision(), key, () => this.store.popularItems(query));
  }

  private async rankByPopularity(
    request: RecommendationRequest,
    neighbourhood: Neighbourhood,
    reason: FallbackReason,
  ): Promise<RecommendationResult[]> {
    const explanation = popularityExplanation(reason);
    const interacted = request.policy?.includeInteracted ? new Set<string>() : neighbourhood.interactedItemIds;
    const query = {
      limit: poolSize(request.first, request.policy),
      includeCategories: request.filter?.includeCategories,
      excludeCategories: request.filter?.excludeCategories,
      excludeItemIds: new Set([...(request.filter?.excludeItemIds ?? []), ...interacted]),
    };
    const popular = await this.popularItems(query, interacted.size === 0);
    const candidates = popular.map((p) => ({ item: p.item, score: p.userCount, source: explanation }));
    const listed = new Set(popular.map((p) => p.item.id));
    const outside = (request.policy?.pins ?? []).map((pin) => pin.itemId).filter((id) => !listed.has(id));
    const records = outside.length > 0 ? await this.store.items(outside) : [];
    const pinned = records.flatMap((item) => (item?.available ? [{ item, score: 0, source: null }] : []));
    return applyPolicy<ExplanationModel | null>(candidates, request.policy, request.first, { space: this.space, pinned }).map(
      ({ item, score, source, rules }, k) => ({
        item,
        score,
        rank: k + 1,
        rules,
        fallback: reason,
        explanation: source ? withRules(source, rules) : ruleExplanation(rules, null),
      }),
    );
  }
}
