import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.js';
import { sharedTextEncoder } from './content/index.js';
import { openGraphStore, seedDemoData, StoreAvailability, type GraphStore } from './graph/index.js';
import type { RecommendationModel } from './inference/index.js';
import { Metrics } from './observability/index.js';
import { Feedback, ImpressionLog } from './feedback/index.js';
import { RankedLists } from './recommendations/index.js';
import { AccessPolicy, ErasureAudit } from './security/index.js';
import { startHttpServer } from './server.js';
import { startServingExperiment, type ServingExperiment } from './serving-experiment.js';
import { ServingModel, type ModelReloadOutcome } from './serving-model.js';

export interface App {
  readonly url: string;
  /** Where Prometheus scrapes `/metrics`. */
  readonly metricsUrl: string;
  readonly store: GraphStore;
  /** The model serving now; a reload replaces it. */
  readonly model: RecommendationModel;
  readonly metrics: Metrics;
  /**
   * Loads `MODEL_DIR` (and each experiment variant's own model folder) again and swaps it in; a
   * model that fails validation is refused. Answers with `MODEL_DIR`'s outcome.
   */
  reloadModel(): Promise<ModelReloadOutcome>;
  /** Writes the impressions waiting for the next flush (tests). */
  flushImpressions(): Promise<void>;
  /** Graceful: stop accepting, finish in-flight requests, then close the model and the store. */
  close(): Promise<void>;
}

/** Optional wrappers around the store and the model, e.g. to observe calls in tests. */
export interface AppDecorators {
  readonly store?: (store: GraphStore) => GraphStore;
  readonly model?: (model: RecommendationModel) => RecommendationModel;
  /** Where audit lines go instead of stdout, e.g. to read them in tests. */
  readonly auditDestination?: DestinationStream;
}

/** Wires recograph together in dependency order: store, model, services, HTTP. */
export async function startApp(config: Config, logger: Logger, decorate: AppDecorators = {}): Promise<App> {
  const rawStore = await openGraphStore(config);
  const metrics = new Metrics();
  let serving: ServingModel | undefined;
  let experiment: ServingExperiment | undefined;
  let feedback: Feedback | undefined;
  let availability: StoreAvailability | undefined;
  const textEncoder = sharedTextEncoder(config.textEncoderDir, { logger });
  try {
    if (config.seedDemoData && (await seedDemoData(rawStore))) logger.info('seeded the empty store with demo data');
    availability = new StoreAvailability(decorate.store?.(rawStore) ?? rawStore, {
      probeIntervalMs: config.storeProbeIntervalMs,
      logger,
    });
    const { store } = availability;
    const servingOptions = { config, store, logger, metrics, textEncoder, decorateModel: decorate.model };
    serving = await ServingModel.start(servingOptions);
    experiment = await startServingExperiment(serving, servingOptions, config.experiment);
    const { experiments } = experiment;
    const impressions = new ImpressionLog(store, logger, { ...config.impressions, onDropped: (answers) => metrics.impressionsDropped.inc(answers) });
    feedback = new Feedback(impressions, store, metrics, { name: experiments.name, variants: experiments.variantNames() });
    const answers = feedback;
    const server = await startHttpServer({
      host: config.host,
      port: config.port,
      services: {
        store,
        recommendations: experiments.router,
        experiments,
        feedback,
        rankedLists: new RankedLists(experiments.router, store, config.rankedLists, ({ variant }) =>
          answers.newAnswer(experiments.labelsOf('RECOMMENDATIONS', variant)),
        ),
        catalogue: experiment.catalogue,
        access: new AccessPolicy(config.access, logger),
        erasureAudit: new ErasureAudit(metrics.erasures, decorate.auditDestination),
      },
      logger,
      queryLimits: config.queryLimits,
      maxRequestBytes: config.maxRequestBytes,
      maxResponseBytes: config.maxResponseBytes,
      http: config.http,
      maxConcurrentRequests: config.maxConcurrentRequests,
      storeAvailability: availability,
      graphql: config,
      metrics,
      shutdownGraceMs: config.shutdownGraceMs,
      metricsPort: config.metricsPort,
    });
    const model = serving;
    const variants = experiment;
    return {
      url: server.url,
      metricsUrl: server.metricsUrl,
      store,
      get model() {
        return model.model;
      },
      metrics,
      reloadModel: () => variants.reload(),
      flushImpressions: () => answers.flush(),
      async close() {
        await server.stop();
        await answers.close();
        availability?.stop();
        await variants.close();
        await model.close();
        await textEncoder.close();
        await rawStore.close();
      },
    };
  } catch (error) {
    await feedback?.close();
    availability?.stop();
    await experiment?.close();
    await serving?.close();
    await textEncoder.close();
    await rawStore.close();
    throw error;
  }
}
