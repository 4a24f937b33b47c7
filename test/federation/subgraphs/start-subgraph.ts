import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode } from 'graphql';
import { pino } from 'pino';

export interface RunningSubgraph {
  readonly name: string;
  readonly typeDefs: DocumentNode;
  /** Its GraphQL endpoint on a random loopback port. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Serves a small test subgraph over real HTTP on a random loopback port. */
export async function startSubgraph(name: string, typeDefs: DocumentNode, resolvers: GraphQLResolverMap<unknown>): Promise<RunningSubgraph> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }), logger: pino({ level: 'silent' }) });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { name, typeDefs, url, stop: () => server.stop() };
}
