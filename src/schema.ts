import { readFileSync } from 'node:fs';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

const SCHEMA_PATH = new URL('../schema.graphql', import.meta.url);

/** recograph's executable schema: `schema.graphql` as a Federation 2 subgraph, with its resolvers. */
export function buildRecographSchema(): GraphQLSchema {
  const typeDefs = parse(readFileSync(SCHEMA_PATH, 'utf8'));
  // @apollo/subgraph types resolvers with an `unknown` context; codegen's are typed with ours.
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<any> });
}

/** The subgraph SDL a router composes (what `_service { sdl }` answers): input for `rover subgraph publish`. */
export function printRecographSubgraphSchema(): string {
  return printSubgraphSchema(buildRecographSchema());
}
