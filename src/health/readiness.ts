import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError } from '../errors.js';
import type { StoreAvailability } from '../graph/index.js';
import { coverageWarning, type CatalogueCoverage } from '../recommendations/index.js';

export interface ReadinessSources {
  readonly store: StoreAvailability;
  /** The version of the model serving now, or null while none is. */
  modelVersion(): string | null;
  /** How much of the catalogue the serving model knows. */
  coverage(): CatalogueCoverage;
}

/**
 * `/healthz`: the process is alive and serving HTTP. `/readyz`: it can answer queries — the store
 * answers a ping now and a model is loaded; 503 otherwise, so a load balancer routes around it.
 * It also says how much of the catalogue the model knows, with a `warning` (still 200) when that
 * is under half: such an API answers, but mostly with popularity.
 */
export function healthRoutes(sources: ReadinessSources) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const store = (await sources.store.probe()) ? 'up' : 'down';
      const model = sources.modelVersion();
      const ready = store === 'up' && model !== null;
      const catalogue = sources.coverage();
      const warning = coverageWarning(catalogue);
      return reply.code(ready ? 200 : 503).send({ ready, store, model: model === null ? null : { version: model }, catalogue, ...(warning ? { warning } : {}) });
    });
  };
}

/** While the store is known to be down, operations fail at once with SERVICE_UNAVAILABLE (503). */
export function failFastPlugin(store: StoreAvailability): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation() {
          if (!store.available) throw new ServiceUnavailableError();
        },
      };
    },
  };
}
