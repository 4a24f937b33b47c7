import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { BREAK, execute, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Why a request ran on graphql-js instead of its compiled form; `null` when it ran compiled. */
export type InterpretedReason = 'mutation' | 'subscription' | 'introspection' | 'trace' | 'not-compilable' | 'errors';

export interface CompiledExecutionOptions {
  /** Told once per request of where its answer came from, for the executor metric. */
  readonly onExecute?: (reason: InterpretedReason | null) => void;
}

/**
 * Runs queries as graphql-jit compiled functions, one compilation per document and operation,
 * and everything else on graphql-js. Apollo Server 5 has no executor option: the executor a
 * gateway hands it is the supported way in, so this is a gateway over a fixed local schema.
 * Apollo still parses, validates and runs every plugin; only `execute` is replaced.
 *
 * Kept on graphql-js: mutations (writes are store-bound, and one engine for them keeps their
 * exactly-once path simple), introspection (graphql-js is its reference), requests whose
 * resolvers are traced (federation inline traces and usage reports hook into graphql-js field
 * resolution), and any document graphql-jit refuses to compile. A compiled answer with errors is
 * replaced by graphql-js's (see the executor).
 */
export function compiledExecution(schema: GraphQLSchema, options: CompiledExecutionOptions = {}): GatewayInterface {
  // Apollo's document store hands the same parsed document for the same query text, so compiled
  // forms live exactly as long as Apollo keeps it.
  const compiled = new WeakMap<OperationDefinitionNode, CompiledQuery | InterpretedReason>();
  const compiledFor = (document: DocumentNode, operation: OperationDefinitionNode) => {
    let entry = compiled.get(operation);
    if (entry === undefined) {
      entry = compile(schema, document, operation);
      compiled.set(operation, entry);
    }
    return entry;
  };

  const executor: GatewayExecutor = async (request: GatewayGraphQLRequestContext) => {
    const { document, operation, operationName, context } = request;
    const entry = request.metrics.captureTraces ? 'trace' : compiledFor(document, operation);
    const interpreted = async () =>
      (await execute({ schema, document, contextValue: context, variableValues: request.request.variables, operationName })) as ExecutionResult;
    if (typeof entry === 'string') {
      options.onExecute?.(entry);
      return interpreted();
    }
    const result = await entry.query(undefined, context, request.request.variables);
    if (result.errors === undefined) {
      options.onExecute?.(null);
      return result;
    }
    // An answer with errors is graphql-js's, run again: queries only, so nothing is written, and the
    // request's DataLoaders hand back what the first run loaded (answers named, impressions kept once).
    // Variables that do not coerce are worded as clients and Apollo's BAD_USER_INPUT classification
    // expect; and under a store outage graphql-jit's answers held INTERNAL_SERVER_ERROR where
    // graphql-js's say SERVICE_UNAVAILABLE (test/http/neo4j-outage.neo4j.test.ts).
    options.onExecute?.('errors');
    return interpreted();
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

function compile(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): CompiledQuery | InterpretedReason {
  if (operation.operation !== 'query') return operation.operation;
  if (selectsIntrospection(document)) return 'introspection';
  const query = compileQuery(schema, document, operation.name?.value);
  return isCompiledQuery(query) ? query : 'not-compilable';
}

/** Whether any selection of the document (fragments included) asks for `__schema` or `__type`. */
function selectsIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}
