import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const READER = 'reader-key-0123456789';
const API_KEYS = `${READER}:reader`;
const bearer = { authorization: `Bearer ${READER}` };

const FAILING = [
  '{ recommendations(userId: "user-0001") { explanation { contributions { user { id } } } } }', // UNAUTHENTICATED, FORBIDDEN
  '{ modle { version } }', // GRAPHQL_VALIDATION_FAILED
  '{ model { ', // GRAPHQL_PARSE_FAILED
  'mutation { recordInteractions(input: []) { recordedCount } }', // UNAUTHENTICATED
];

describe('error details in development mode with keys configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { NODE_ENV: 'development', API_KEYS });
  });
  afterAll(() => server?.close());

  it('carries no stack traces, whatever the error', async () => {
    for (const query of FAILING) {
      for (const headers of [{}, bearer]) {
        const { errors } = await server.graphql(query, {}, headers);
        expect(errors!.length, query).toBeGreaterThan(0);
        for (const error of errors!) expect(error.extensions, query).not.toHaveProperty('stacktrace');
      }
    }
    const badInput = await server.graphql('{ items(first: 0) { nodes { id } } }', {}, bearer);
    expect(badInput.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('gives "Did you mean" suggestions only to callers with credentials', async () => {
    const anonymous = await server.graphql('{ modle { version } }');
    expect(anonymous.errors![0]!.message).toBe('Cannot query field "modle" on type "Query".');
    const reader = await server.graphql('{ modle { version } }', {}, bearer);
    expect(reader.errors![0]!.message).toMatch(/Did you mean "model"\?/);
  });

  it('turns introspection off, as production does', async () => {
    const { errors } = await server.graphql('{ __schema { types { name } } }', {}, bearer);
    expect(errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(loadConfig({ NODE_ENV: 'development' }).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', API_KEYS }).introspection).toBe(false);
  });
});

describe('INCLUDE_STACKTRACE=true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { INCLUDE_STACKTRACE: 'true' });
  });
  afterAll(() => server?.close());

  it('adds stack traces to GraphQL errors when explicitly asked for', async () => {
    const { errors } = await server.graphql('{ modle { version } }');
    expect(errors![0]!.extensions!.stacktrace).toEqual(expect.any(Array));
  });
});
