/**
 * The ceiling of our API layer: recograph's (subgraph) schema and HTTP stack (Express, Apollo Server, request
 * logs, metrics, Studio and cache-control plugins) with resolvers that return one fixed, precomputed recommendations answer.
 * What a recommendation would cost if the store, the model and the explanation were free.
 *
 * Usage: tsx bench/static-server.ts ANSWER.json — prints `{"url": ...}` once listening on loopback.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { parse } from 'graphql';
import { pino } from 'pino';
import { Metrics, metricsPlugin, requestLogging, timedStringify } from '../src/observability/index.js';
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
const app = express();
app.use('/graphql', requestLogging(logger), express.json({ limit: '1mb' }), expressMiddleware(apollo));
const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` }));
});
process.on('SIGTERM', () => process.exit(0));
