import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openGraphStore, seedDemoData, StoreAvailability, type GraphStore } from './graph/index.js';
import { loadModel, type RecommendationModel } from './inference/index.js';
import { RecommendationService } from './recommendations/index.js';
import { AccessPolicy } from './security/index.js';
import { startHttpServer } from './server.js';

export interface App {
  readonly url: string;
  readonly store: GraphStore;
  readonly model: RecommendationModel;
  /** Graceful: stop accepting, finish in-flight requests, then close the model and the store. */
  close(): Promise<void>;
}

/** Optional wrappers around the store and the model, e.g. to observe calls in tests. */
export interface AppDecorators {
  readonly store?: (store: GraphStore) => GraphStore;
  readonly model?: (model: RecommendationModel) => RecommendationModel;
}

/** Wires recograph together in dependency order: store, model, services, HTTP. */
export async function startApp(config: Config, logger: Logger, decorate: AppDecorators = {}): Promise<App> {
  const rawStore = await openGraphStore(config);
  let rawModel: RecommendationModel | undefined;
  let availability: StoreAvailability | undefined;
  try {
    if (config.seedDemoData && (await seedDemoData(rawStore))) logger.info('seeded the empty store with demo data');
    availability = new StoreAvailability(decorate.store?.(rawStore) ?? rawStore, {
      probeIntervalMs: config.storeProbeIntervalMs,
      logger,
    });
    const { store } = availability;
    rawModel = await loadModel(config.modelDir, { executionProvider: config.executionProvider, logger });
    const model = decorate.model?.(rawModel) ?? rawModel;
    const recommendations = await RecommendationService.create(store, model);
    const server = await startHttpServer({
      host: config.host,
      port: config.port,
      services: { store, recommendations, access: new AccessPolicy(config.access) },
      logger,
      queryLimits: config.queryLimits,
      maxRequestBytes: config.maxRequestBytes,
      storeAvailability: availability,
      graphql: config,
    });
    return {
      url: server.url,
      store,
      model,
      async close() {
        await server.stop();
        availability?.stop();
        await model.close();
        await rawStore.close();
      },
    };
  } catch (error) {
    availability?.stop();
    await rawModel?.close();
    await rawStore.close();
    throw error;
  }
}
