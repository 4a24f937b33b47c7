import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compiledExecution, type InterpretedReason } from '../../src/execution/compiled-executor.js';

const schema = makeExecutableSchema({
  typeDefs: 'type Query { ok: String, broken: String } type Mutation { touch: Boolean }',
  resolvers: {
    Query: { ok: () => 'fine', broken: () => Promise.reject(new Error('no')) },
    Mutation: { touch: () => true },
  },
});

/** Runs `query` through the gateway's executor as Apollo would, recording what it was told. */
async function run(query: string) {
  const told: (InterpretedReason | null)[] = [];
  const { executor } = await compiledExecution(schema, { onExecute: (reason) => told.push(reason) }).load({ apollo: {} });
  if (executor === null) throw new Error('the gateway gave no executor');
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const request = { document, operation, operationName: null, context: {}, request: { variables: {} }, metrics: { captureTraces: false } };
  const result = await executor(request as unknown as GatewayGraphQLRequestContext);
  return { result, told };
}

describe('compiledExecution', () => {
  it('tells the metric once per request where its answer came from', async () => {
    expect((await run('{ ok }')).told).toEqual([null]);
    expect((await run('mutation { touch }')).told).toEqual(['mutation']);
    expect((await run('{ __schema { queryType { name } } }')).told).toEqual(['introspection']);
  });

  it('answers a compiled query with errors from graphql-js, counted once as such', async () => {
    const { result, told } = await run('{ ok broken }');
    expect(told).toEqual(['errors']);
    expect(result.data).toEqual({ ok: 'fine', broken: null });
    expect(result.errors?.map((e) => e.message)).toEqual(['no']);
  });
});
