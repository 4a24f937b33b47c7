/**
 * A peer GraphQL server for `npm run bench`: the same subgraph schema as ours (built with
 * `buildSubgraphSchema` from schema.graphql) with one resolver returning the fixed, precomputed
 * recommendations answer, served the way each project's own quick start serves it:
 *
 * - `apollo`: Apollo Server 5, `startStandaloneServer` (its own http server, cors, body-parser; no plugins);
 * - `yoga`: GraphQL Yoga on `node:http`, its default plugins (parser and validation caches), logging off;
 * - `mercurius`: Mercurius on Fastify, queries compiled with graphql-jit after their first run (`jit: 1`).
 *
 * Bench only: nothing in src/ imports these. Usage: tsx bench/peer-server.ts apollo|yoga|mercurius ANSWER.json —
 * prints `{"url": ...}` once listening on loopback.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import Fastify from 'fastify';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import mercurius from 'mercurius';
import { PEERS, type Peer } from './peers.js';

const [peer, answerPath] = process.argv.slice(2) as [Peer, string];
const answer = JSON.parse(readFileSync(answerPath, 'utf8')) as unknown[];
const schema = buildSubgraphSchema({
  typeDefs: parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')),
  resolvers: { Query: { recommendations: () => answer } },
});

async function listen(): Promise<string> {
  switch (peer) {
    case 'apollo': {
      // Its defaults, with info lines (the subgraph inline-trace notice) kept off stdout, which the bench reads.
      const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };
      const { url } = await startStandaloneServer(new ApolloServer({ schema, logger }), { listen: { port: 0, host: '127.0.0.1' } });
      return new URL('/graphql', url).href;
    }
    case 'yoga': {
      const server = http.createServer(createYoga({ schema, logging: false, graphiql: false, landingPage: false }));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    }
    case 'mercurius': {
      const app = Fastify({ logger: false });
      await app.register(mercurius, { schema, jit: 1, graphiql: false });
      return `${await app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
    }
    default:
      throw new Error(`peer must be one of ${PEERS.join(', ')}, got ${JSON.stringify(peer)}`);
  }
}

console.log(JSON.stringify({ url: await listen() }));
process.on('SIGTERM', () => process.exit(0));
