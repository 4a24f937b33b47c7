import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { adminPanel } from './admin-panel.js';
import type { Config, HttpLimits, QueryLimits } from './config.js';
import { createRequestContext, type RequestContext, type Services } from './context.js';
import { maskUnexpectedErrors } from './errors.js';
import { compiledExecution } from './execution/compiled-executor.js';
import type { StoreAvailability } from './graph/index.js';
import { failFastPlugin, healthRoutes } from './health/readiness.js';
import { metricsPlugin, requestIdOf, requestLogging, timedStringify, type Metrics } from './observability/index.js';
import { buildRecographSchema } from './schema.js';
import {
  authenticateRequests,
  boundedAnswers,
  callerOf,
  concurrencyLimit,
  decorateCaller,
  fieldAccessPlugin,
  jsonBodyOnly,
  oneOperationBody,
  queryCostPlugin,
  queryLimitRules,
  requestErrorHandler,
  requireKey,
  suggestionsPlugin,
} from './security/index.js';
import { studioPlugins } from './studio.js';
import { uncacheableAnswers } from './uncacheable-answers.js';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly services: Services;
  readonly logger: Logger;
  readonly graphql: Pick<Config, 'environment' | 'federation' | 'introspection' | 'executor' | 'apollo' | 'includeStacktrace'>;
  readonly queryLimits: QueryLimits;
  readonly maxRequestBytes: number;
  /** Largest answer sent; a larger one is replaced by a RESPONSE_TOO_LARGE error. */
  readonly maxResponseBytes: number;
  readonly http: HttpLimits;
  /** GraphQL requests executing at once; more wait. */
  readonly maxConcurrentRequests: number;
  readonly storeAvailability: StoreAvailability;
  readonly metrics: Metrics;
  /** How long `stop()` waits for in-flight requests before closing their connections. */
  readonly shutdownGraceMs: number;
  /** A port of its own for `/metrics`, unauthenticated; null serves it beside GraphQL, behind a key. */
  readonly metricsPort: number | null;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  /** Where Prometheus scrapes, e.g. http://localhost:9464/metrics. */
  readonly metricsUrl: string;
  /** Stops accepting connections and lets in-flight requests finish. */
  stop(): Promise<void>;
}

/**
 * Apollo Server on Fastify, serving GraphQL at `/graphql` and the explanation panel at `/admin/`.
 * Fastify because the HTTP layer is a large share of a small request's cost: on a trivial query
 * Apollo on Fastify served 1.6x the requests Apollo on Express 5 did (docs/benchmarks.md).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { services, queryLimits } = options;
  const logger: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance: logger,
    // Fastify's two lines per request give way to requestLogging's one, on /graphql.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    bodyLimit: options.maxRequestBytes,
    // Our own server, for its timeouts: headersTimeout and the check interval are not Fastify options.
    serverFactory: (handler) =>
      http.createServer(
        {
          headersTimeout: options.http.headersTimeoutMs,
          requestTimeout: options.http.requestTimeoutMs,
          // How often those two are checked (Node's default, 30 s, would stretch a short timeout).
          connectionsCheckingInterval: Math.min(1000, options.http.headersTimeoutMs),
        },
        handler,
      ),
  });
  const httpServer = app.server;
  httpServer.keepAliveTimeout = options.http.keepAliveTimeoutMs;
  httpServer.maxConnections = options.http.maxConnections;
  const [hop1, hop2] = services.recommendations.modelInfo.fanouts;
  const schema = buildRecographSchema(options.graphql.federation);
  const apollo = new ApolloServer<RequestContext>({
    ...executorOf(schema, options.graphql.executor, options.metrics),
    introspection: options.graphql.introspection,
    apollo: options.graphql.apollo ?? undefined,
    logger: options.logger,
    formatError: maskUnexpectedErrors(options.logger),
    includeStacktraceInErrorResponses: options.graphql.includeStacktrace,
    // Explicit although they are Apollo's defaults: hardening must not depend on them.
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: queryLimits.tokens },
    validationRules: queryLimitRules(queryLimits),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs }),
      metricsPlugin(options.metrics),
      failFastPlugin(options.storeAvailability),
      fieldAccessPlugin(),
      suggestionsPlugin(),
      queryCostPlugin(queryLimits, { 'Explanation.contributions': hop1!, 'Contribution.evidence': hop2! }),
      ...studioPlugins(options.graphql, options.logger),
      ...uncacheableAnswers(),
    ],
    stringifyResult: boundedAnswers(options.maxResponseBytes, timedStringify(options.metrics)),
    // main.ts owns the signals: Apollo's own SIGTERM handler would race ours into a second stop().
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  decorateCaller(app);
  app.setErrorHandler(requestErrorHandler(options.logger));
  await app.register(
    healthRoutes({
      store: options.storeAvailability,
      modelVersion: () => services.recommendations.modelInfo.version,
      coverage: () => services.catalogue.coverage(),
    }),
  );
  const metrics = options.metrics.registry;
  const metricsServer = options.metricsPort === null ? null : http.createServer(metricsHandler(options.metrics));
  if (metricsServer === null) {
    app.get('/metrics', { onRequest: requireKey(services.access, 'reader', 'read metrics') }, async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.metrics()),
    );
  }
  await app.register(adminPanel(requireKey(services.access, 'admin', 'open the admin panel')), { prefix: '/admin' });
  const logging = requestLogging(options.logger);
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    onRequest: [logging.onRequest, authenticateRequests(services.access), concurrencyLimit(options.maxConcurrentRequests), jsonBodyOnly],
    preValidation: oneOperationBody,
    onResponse: logging.onResponse,
    handler: fastifyApolloHandler(apollo, { context: async (request) => createRequestContext(services, callerOf(request)) }),
  });
  await app.ready();
  const origin = await listen(httpServer, options.host, options.port);
  const metricsOrigin = metricsServer === null ? origin : await listen(metricsServer, options.host, options.metricsPort!);
  return {
    url: `${origin}/graphql`,
    metricsUrl: `${metricsOrigin}/metrics`,
    async stop() {
      if (metricsServer !== null) {
        const closed = new Promise((resolve) => metricsServer.close(resolve));
        metricsServer.closeAllConnections();
        await closed;
      }
      await apollo.stop();
    },
  };
}

/** The schema for graphql-js execution, or the gateway that runs queries compiled. */
function executorOf(schema: GraphQLSchema, executor: Config['executor'], metrics: Metrics): { schema: GraphQLSchema } | { gateway: GatewayInterface } {
  if (executor === 'graphql-js') return { schema };
  const compiled = metrics.executions.labels('compiled', 'none');
  return {
    gateway: compiledExecution(schema, {
      onExecute: (reason) => (reason === null ? compiled : metrics.executions.labels('graphql-js', reason)).inc(),
    }),
  };
}

/** `/metrics` alone, unauthenticated, for a port of its own (METRICS_PORT); anything else is 404. */
function metricsHandler(metrics: Metrics): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal server error'),
    );
  };
}

/** Listens and resolves to the server's origin, e.g. http://localhost:4000. */
async function listen(server: http.Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${address.port}`;
}
