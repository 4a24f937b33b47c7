/**
 * The ceiling of our API layer: recograph's (subgraph) schema and HTTP stack (Fastify, Apollo Server, request
 * logs, metrics, Studio and cache-control plugins) with resolvers that return one fixed, precomputed recommendations answer.
 * What a recommendation would cost if the store, the model and the explanation were free.
 *
 * Usage: tsx bench/static-server.ts ANSWER.json — prints `{"url": ...}` once listening on loopback.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController } from 'fastify';
import { parse } from 'graphql';
import { pino } from 'pino';
import { Metrics, metricsPlugin, requestIdOf, requestLogging, timedStringify } from '../src/observability/index.js';
import { jsonBodyOnly, oneOperationBody } from '../src/security/index.js';
import { studioPlugins } from '../src/studio.js';
import { uncacheableAnswers } from '../src/uncacheable-answers.js';

const answer = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as unknown[];
const metrics = new Metrics();
const logger = pino({ level: 'warn' });
const apollo = new ApolloServer({
  // The same subgraph schema the server builds, with one fixed resolver instead of ours.
  schema: buildSubgraphSchema({
    typeDefs: parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')),
    resolvers: { Query: { recommendations: () => answer } },
  }),
  logger,
  plugins: [metricsPlugin(metrics), ...studioPlugins({ environment: 'production', federation: 'subgraph', apollo: null }, logger), ...uncacheableAnswers()],
  stringifyResult: timedStringify(metrics),
});
await apollo.start();
const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), genReqId: requestIdOf, bodyLimit: 1024 * 1024 });
const logging = requestLogging(logger);
app.route({
  method: ['GET', 'POST'],
  url: '/graphql',
  onRequest: [logging.onRequest, jsonBodyOnly],
  preValidation: oneOperationBody,
  onResponse: logging.onResponse,
  handler: fastifyApolloHandler(apollo),
});
const origin = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ url: `${origin}/graphql` }));
process.on('SIGTERM', () => process.exit(0));
