import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { adminPanel } from './admin-panel.js';
import type { Config, HttpLimits, QueryLimits } from './config.js';
import { createRequestContext, type RequestContext, type Services } from './context.js';
import { maskUnexpectedErrors } from './errors.js';
import { compiledExecution } from './execution/compiled-executor.js';
import type { StoreAvailability } from './graph/index.js';
import { failFastPlugin, healthRoutes } from './health/readiness.js';
import { metricsPlugin, requestLogging, timedStringify, type Metrics } from './observability/index.js';
import { buildRecographSchema } from './schema.js';
import {
  authenticateRequests,
  boundedAnswers,
  callerOf,
  concurrencyLimit,
  fieldAccessPlugin,
  jsonBody,
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

/** Apollo Server on Express, serving GraphQL at `/graphql` and the explanation panel at `/admin/`. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { services, queryLimits } = options;
  const app = express();
  app.disable('x-powered-by');
  // Answers are no-store: an ETag would hash every body for a cache that must not keep it.
  app.disable('etag');
  const httpServer = http.createServer(
    {
      headersTimeout: options.http.headersTimeoutMs,
      requestTimeout: options.http.requestTimeoutMs,
      // How often those two are checked (Node's default, 30 s, would stretch a short timeout).
      connectionsCheckingInterval: Math.min(1000, options.http.headersTimeoutMs),
    },
    app,
  );
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
  app.use(
    healthRoutes({
      store: options.storeAvailability,
      modelVersion: () => services.recommendations.modelInfo.version,
      coverage: () => services.catalogue.coverage(),
    }),
  );
  const metrics = metricsRoute(options.metrics);
  const metricsServer = options.metricsPort === null ? null : http.createServer(express().disable('x-powered-by').get('/metrics', metrics));
  if (metricsServer === null) app.get('/metrics', requireKey(services.access, 'reader', 'read metrics'), metrics);
  app.use('/admin', adminPanel(requireKey(services.access, 'admin', 'open the admin panel')));
  app.use(
    '/graphql',
    requestLogging(options.logger),
    authenticateRequests(services.access),
    concurrencyLimit(options.maxConcurrentRequests),
    ...jsonBody(options.maxRequestBytes),
    expressMiddleware(apollo, {
      context: async ({ res }) => createRequestContext(services, callerOf(res)),
    }),
  );
  app.use(requestErrorHandler(options.logger));
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

function metricsRoute(metrics: Metrics): express.RequestHandler {
  return async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
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
