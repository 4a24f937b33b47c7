import { readFileSync } from 'node:fs';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Config } from './config.js';
import { resolvers } from './resolvers/index.js';

const SCHEMA_PATH = new URL('../schema.graphql', import.meta.url);
const FEDERATION_DIRECTIVES = new Set(['link', 'key']);

const readTypeDefs = () => parse(readFileSync(SCHEMA_PATH, 'utf8'));

/**
 * recograph's executable schema from `schema.graphql`: by default a Federation 2 subgraph; with
 * federation `off`, the same types without `_entities`/`_service`, which Apollo's schema reporting
 * accepts (it refuses subgraphs, whose schema a router composes instead).
 */
export function buildRecographSchema(federation: Config['federation'] = 'subgraph'): GraphQLSchema {
  if (federation === 'off') return makeExecutableSchema({ typeDefs: withoutFederation(readTypeDefs()), resolvers });
  // @apollo/subgraph types resolvers with an `unknown` context; codegen's are typed with ours.
  return buildSubgraphSchema({ typeDefs: readTypeDefs(), resolvers: resolvers as GraphQLResolverMap<any> });
}

/** The subgraph SDL a router composes (what `_service { sdl }` answers): input for `rover subgraph publish`. */
export function printRecographSubgraphSchema(): string {
  return printSubgraphSchema(buildRecographSchema('subgraph'));
}

function withoutFederation(document: DocumentNode): DocumentNode {
  return visit(document, {
    Directive: (node) => (FEDERATION_DIRECTIVES.has(node.name.value) ? null : undefined),
    SchemaExtension: {
      leave: (node) => (node.directives?.length || node.operationTypes?.length ? undefined : null),
    },
  });
}
