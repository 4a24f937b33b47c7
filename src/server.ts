import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from 'pino';
import { adminPanel } from './admin-panel.js';
import { createRequestContext, type RequestContext, type Services } from './context.js';
import { maskUnexpectedErrors } from './errors.js';
import { resolvers } from './resolvers/index.js';

const SCHEMA_PATH = new URL('../schema.graphql', import.meta.url);

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly services: Services;
  readonly logger: Logger;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  /** Stops accepting connections and lets in-flight requests finish. */
  stop(): Promise<void>;
}

/** Apollo Server on Express, serving GraphQL at `/graphql` and the explanation panel at `/admin/`. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<RequestContext>({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers,
    formatError: maskUnexpectedErrors(options.logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: async () => createRequestContext(options.services) }),
  );
  app.use('/admin', adminPanel());
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return { url: `http://${host}:${port}/graphql`, stop: () => apollo.stop() };
}
