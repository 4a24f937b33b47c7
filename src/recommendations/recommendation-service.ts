import type { GraphStore, ItemRecord, Neighbourhood } from '../graph/index.js';
import { attentionExplanation, popularityExplanation, type ExplanationModel, type FallbackReason } from '../explain/index.js';
import { assembleBatch, readUserScores, type RecommendationModel } from '../inference/index.js';
import { Candidates, type RecommendationFilter } from './candidates.js';
import { withoutInteractions } from './ignored-interactions.js';
import { NewItems, type ContentVectors, type ItemKnowledge } from './new-items.js';
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
  readonly userId: string;
  readonly first: number;
  readonly filter?: RecommendationFilter | null;
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

  private constructor(
    private readonly store: GraphStore,
    private readonly model: RecommendationModel,
    private readonly candidates: Candidates,
    private readonly timer: StageTimer,
    content: ContentVectors | null,
  ) {
    this.newItems = new NewItems(store, model, content);
    this.similar = new SimilarItems(store, model, candidates);
  }

  /** A service for `model`, with a row estimated for every catalogue item the model was not trained on. */
  static async create(
    store: GraphStore,
    model: RecommendationModel,
    { timer = noTiming, content = null }: { readonly timer?: StageTimer; readonly content?: ContentVectors | null } = {},
  ): Promise<RecommendationService> {
    const catalogue = await store.items(model.metadata.items);
    const service = new RecommendationService(store, model, new Candidates(model.vocabulary, catalogue), timer, content);
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
    const userIds = [...new Set(requests.map((r) => r.userId))];
    // Each ignored item frees at most one hop-1 slot: read that many more so later items fill it.
    const margin = Math.max(0, ...requests.map((r) => r.ignoreItemIds?.length ?? 0));
    const fetched = await timed(this.timer, 'store', () => this.store.neighbourhoods(userIds, { hop1: hop1 + margin, hop2 }));
    const byUser = new Map(fetched.map((n) => [n.userId, n]));

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
      const neighbourhood = withoutInteractions(byUser.get(request.userId)!, request.ignoreItemIds, hop1);
      const reason = this.fallbackReason(neighbourhood);
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

  /** Items like each request's item, by the model's item space; aligned with `requests`. */
  similarItems(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]> {
    return this.similar.rank(requests);
  }

  private fallbackReason(neighbourhood: Neighbourhood): FallbackReason | null {
    if (!neighbourhood.userExists) return 'UNKNOWN_USER';
    if (neighbourhood.items.length === 0) return 'NO_INTERACTIONS';
    const known = neighbourhood.items.some((n) => this.model.vocabulary.itemIndex.has(n.item.id));
    return known ? null : 'NO_MODELLED_INTERACTIONS';
  }

  /** One model run for all `requests`; results are aligned with them. */
  private async rankWithModel(
    requests: readonly RecommendationRequest[],
    neighbourhoods: readonly Neighbourhood[],
  ): Promise<RecommendationResult[][]> {
    if (requests.length === 0) return [];
    const vocabulary = this.model.vocabulary;
    const topK = Math.max(...requests.map((r) => r.first)) + WITHDRAWN_SLACK;
    const batch = await timed(this.timer, 'tensors', () => {
      const biases = requests.map((request, row) => this.candidates.bias(request.filter, neighbourhoods[row]!.interactedItemIds));
      return assembleBatch(neighbourhoods, biases, vocabulary, topK, this.explainedRanks(requests, topK));
    });
    const outputs = await timed(this.timer, 'onnx', () => this.model.run(batch.inputs));
    const itemId = (index: number) => vocabulary.itemId(index);
    const rows = requests.map((_, row) => {
      const scores = readUserScores(outputs, row);
      return { scores, ranked: scores.ranked };
    });
    // The items' records go in the results, so resolving `item` is a property read, not a load.
    const ids = [...new Set(rows.flatMap((r) => r.ranked.map((ranked) => itemId(ranked.itemIndex))))];
    const records = await timed(this.timer, 'store', () => this.store.items(ids));
    const byId = new Map(records.flatMap((record) => (record ? [[record.id, record] as const] : [])));
    const version = this.model.info.version;
    return rows.map(({ scores, ranked }, row) =>
      ranked
        .flatMap((r, k) => {
          const item = byId.get(itemId(r.itemIndex));
          // Gone, or withdrawn by another process since this one last followed the catalogue.
          if (!item?.available) return [];
          return [{ item, score: r.score, k }];
        })
        // Contributions exist for the first `first` ranks only: an explained answer that lost an item
        // this way comes back shorter rather than with an item it cannot explain.
        .filter(({ k }) => requests[row]!.explain === false || k < scores.explainedRanks)
        .slice(0, requests[row]!.first)
        .map(({ item, score, k }, position) => {
          const explain =
            requests[row]!.explain === false || k >= scores.explainedRanks
              ? explanationNotRequested
              : () =>
                  timed(this.timer, 'explain', () =>
                    attentionExplanation(scores, k, batch.slots[row]!, version, this.newItems.knowledgeOf(item.id) === 'CONTENT'),
                  );
          return withLazyExplanation({ item, score, rank: position + 1 }, explain);
        }),
    );
  }

  /**
   * Contributions are computed only for the ranks that will be explained: the first `first` of
   * every request that wants explanations, none at all when no request does.
   */
  private explainedRanks(requests: readonly RecommendationRequest[], topK: number): number {
    const explained = requests.filter((r) => r.explain !== false).map((r) => r.first);
    return Math.min(topK, this.model.vocabulary.itemCount, Math.max(0, ...explained));
  }

  private async rankByPopularity(
    request: RecommendationRequest,
    neighbourhood: Neighbourhood,
    reason: FallbackReason,
  ): Promise<RecommendationResult[]> {
    const explanation = popularityExplanation(reason);
    const popular = await this.store.popularItems({
      limit: request.first,
      includeCategories: request.filter?.includeCategories,
      excludeCategories: request.filter?.excludeCategories,
      excludeItemIds: new Set([...(request.filter?.excludeItemIds ?? []), ...neighbourhood.interactedItemIds]),
    });
    return popular.map((p, k) => ({ item: p.item, score: p.userCount, rank: k + 1, explanation }));
  }
}
