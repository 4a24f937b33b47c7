import type { Logger } from 'pino';
import type { Config } from './config.js';
import { contentVectors, type SharedTextEncoder } from './content/index.js';
import type { GraphStore } from './graph/index.js';
import { loadModel, type RecommendationModel } from './inference/index.js';
import type { Metrics } from './observability/index.js';
import {
  CatalogueSync,
  coverageWarning,
  MicroBatcher,
  RecommendationService,
  type CatalogueFollower,
  SwappableRecommender,
  type RecommendationRequest,
  type RecommendationResult,
  type Recommender,
} from './recommendations/index.js';

export type ModelReloadOutcome =
  | { readonly outcome: 'reloaded'; readonly version: string; readonly previousVersion: string }
  | { readonly outcome: 'refused'; readonly version: string; readonly reason: string };

export interface ServingModelOptions {
  readonly config: Pick<
    Config,
    'modelDir' | 'executionProvider' | 'inferenceWorkers' | 'inferenceSplitMinRows' | 'inferenceWorkerHeapMib' | 'batching' | 'catalogueSyncMs' | 'resultCache'
  >;
  readonly store: GraphStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Embeds item text for models with a content map. */
  readonly textEncoder: SharedTextEncoder;
  /** Wraps every model loaded, the first and each reload (tests observe runs with it). */
  readonly decorateModel?: (model: RecommendationModel) => RecommendationModel;
}

/**
 * The model being served and the recommender in front of it: cross-request batching (when on) over
 * a swappable service, so `reload()` can put a new model version in place without dropping a
 * request. A model that fails validation or warm-up is refused and the current one keeps serving.
 */
export class ServingModel {
  private reloading: Promise<unknown> = Promise.resolve();
  /** Items written while a reload builds its service: told to that service once it serves. */
  private writtenDuringReload: { items: Set<string>; interactions: Set<string> } | null = null;

  private readonly sync: CatalogueSync;

  private constructor(
    private readonly options: ServingModelOptions,
    private current: RecommendationModel,
    private service: RecommendationService,
    private readonly swappable: SwappableRecommender,
    readonly recommender: Recommender,
    revision: number,
  ) {
    this.sync = CatalogueSync.start(options.store, this.catalogue, revision, options.config.catalogueSyncMs, options.logger);
  }

  static async start(options: ServingModelOptions): Promise<ServingModel> {
    const model = await load(options);
    try {
      // Read before the service reads the catalogue: following from here misses no write.
      const revision = await options.store.catalogueRevision();
      const service = await createService(options, model);
      const swappable = new SwappableRecommender(service, model);
      const { batching, inferenceWorkers } = options.config;
      // One batch more than there are workers: the next batch reads the store while the model runs.
      const recommender = batching.enabled ? batched(swappable, options, Math.max(1, inferenceWorkers) + 1) : swappable;
      options.metrics.servingModel(model.info);
      logCoverage(options.logger, service);
      return new ServingModel(options, model, service, swappable, recommender, revision);
    } catch (error) {
      await model.close();
      throw error;
    }
  }

  get model(): RecommendationModel {
    return this.current;
  }

  /**
   * The serving side of catalogue and interaction writes, whichever model version serves. The
   * write itself has succeeded when it is told: a failure to follow it is logged, not returned.
   */
  readonly catalogue: CatalogueFollower = {
    itemsChanged: (itemIds) => {
      itemIds.forEach((id) => this.writtenDuringReload?.items.add(id));
      return this.service.itemsChanged(itemIds).catch((error: unknown) => this.followFailed(error, itemIds));
    },
    interactionsRecorded: (itemIds) => {
      itemIds.forEach((id) => this.writtenDuringReload?.interactions.add(id));
      return this.service.interactionsRecorded(itemIds).catch((error: unknown) => this.followFailed(error, itemIds));
    },
    knowledgeOf: (itemId) => this.service.knowledgeOf(itemId),
    coverage: () => this.service.coverage(),
  };

  private followFailed(error: unknown, itemIds: readonly string[]): void {
    this.options.logger.error({ err: error, items: itemIds.length }, 'could not update the serving model after a write; it follows on the next one');
  }


  /** Loads `MODEL_DIR` again; one reload at a time, in the order asked. */
  reload(): Promise<ModelReloadOutcome> {
    const attempt = this.reloading.then(() => this.tryReload());
    this.reloading = attempt.catch(() => {});
    return attempt;
  }

  /** Follows the item writes made elsewhere up to now (tests; the timer does it every `CATALOGUE_SYNC_MS`). */
  followCatalogue(): Promise<void> {
    return this.sync.catchUp();
  }

  close(): Promise<void> {
    return this.reloading.then(async () => {
      await this.sync.stop();
      await this.swappable.close();
    });
  }

  private async tryReload(): Promise<ModelReloadOutcome> {
    const { logger, metrics } = this.options;
    const previousVersion = this.current.info.version;
    let next: RecommendationModel;
    let service: RecommendationService;
    this.writtenDuringReload = { items: new Set(), interactions: new Set() };
    try {
      next = await load(this.options);
    } catch (error) {
      this.writtenDuringReload = null;
      const reason = error instanceof Error ? error.message : String(error);
      metrics.modelReloads.inc({ outcome: 'refused' });
      logger.error({ reason, serving: previousVersion }, 'model reload refused; the current model keeps serving');
      return { outcome: 'refused', version: previousVersion, reason };
    }
    try {
      service = await createService(this.options, next);
    } catch (error) {
      this.writtenDuringReload = null;
      await next.close();
      throw error;
    }
    // From here on writes reach the new service; those made while it was built are told to it now.
    const written = this.writtenDuringReload;
    this.writtenDuringReload = null;
    this.service = service;
    await service.itemsChanged([...written.items]);
    await service.interactionsRecorded([...written.interactions]);
    metrics.servingModel(next.info, this.current.info);
    this.current = next;
    metrics.modelReloads.inc({ outcome: 'reloaded' });
    logger.info({ version: next.info.version, previousVersion }, 'model reloaded');
    logCoverage(logger, service);
    await this.swappable.swap(service, next);
    return { outcome: 'reloaded', version: next.info.version, previousVersion };
  }
}

/** One line at every model start: how much of the catalogue it knows, a warning when under half. */
function logCoverage(logger: Logger, service: RecommendationService): void {
  const coverage = service.coverage();
  const warning = coverageWarning(coverage);
  if (warning) logger.warn({ catalogue: coverage }, warning);
  else logger.info({ catalogue: coverage }, 'catalogue coverage of the serving model');
}

async function load({ config, logger, decorateModel }: ServingModelOptions): Promise<RecommendationModel> {
  const model = await loadModel(config.modelDir, {
    executionProvider: config.executionProvider,
    workers: config.inferenceWorkers,
    splitMinRows: config.inferenceSplitMinRows,
    workerHeapMib: config.inferenceWorkerHeapMib,
    logger,
  });
  return decorateModel?.(model) ?? model;
}

async function createService({ config, store, metrics, textEncoder, logger }: ServingModelOptions, model: RecommendationModel): Promise<RecommendationService> {
  const encoder = model.contentMap === null ? null : await textEncoder.get();
  return RecommendationService.create(store, model, {
    timer: (stage, seconds) => metrics.observeStage(stage, seconds),
    content: contentVectors(model, encoder, logger),
    resultCache: config.resultCache && {
      maxEntries: config.resultCache.maxEntries,
      listener: (cache, outcome) => metrics.resultCacheRequests.inc({ cache, outcome }),
    },
  });
}

function batched(inner: Recommender, { config, metrics }: ServingModelOptions, maxInFlight: number): Recommender {
  const batcher = new MicroBatcher<RecommendationRequest, RecommendationResult[]>((requests) => inner.recommend(requests), {
    maxBatchSize: config.batching.maxSize,
    maxWaitMs: config.batching.maxWaitMs,
    maxInFlight,
    onBatch(users, requests) {
      metrics.batchUsers.observe(users);
      metrics.batchRequests.observe(requests);
    },
  });
  return {
    recommend: (requests) => batcher.load(requests),
    // One pass over the candidate table per request is cheap: similar items are not merged across requests.
    similarItems: (requests) => inner.similarItems(requests),
    get modelInfo() {
      return inner.modelInfo;
    },
  };
}
