import type { GraphQLFieldResolver } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uncacheableAnswers } from '../src/uncacheable-answers.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('GraphQL answers are never cached', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const post = (body: unknown) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('sends cache-control: no-store with answers, errors and GET operations, as Apollo’s cache-control plugin did', async () => {
    const answer = await post({ query: '{ recommendations(userId: "user-0001", first: 2) { item { id } explanation { summary } } }' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const fieldError = await post({ query: '{ recommendations(userId: "no-such-user", first: 2) { item { id } } }' });
    expect(fieldError.headers.get('cache-control')).toBe('no-store');
    const invalid = await post({ query: '{ nope }' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const get = await fetch(`${server.url}?${new URLSearchParams({ query: '{ __typename }' })}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).toBe('no-store');
  });
});

describe('no per-field hook', () => {
  it('leaves resolvers unwrapped: Apollo instruments fields only for a plugin with willResolveField', async () => {
    const { makeExecutableSchema } = await import('@graphql-tools/schema');
    const seen: unknown[] = [];
    const hello: GraphQLFieldResolver<unknown, unknown> = (_parent, _args, _context, info) => {
      seen.push((info as { cacheControl?: unknown }).cacheControl);
      return 'hi';
    };
    const schema = makeExecutableSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello } } });
    const apollo = new ApolloServer({ schema, plugins: uncacheableAnswers() });
    const result = await apollo.executeOperation({ query: '{ hello }' });
    expect(result.body.kind === 'single' && result.body.singleResult.data).toEqual({ hello: 'hi' });
    expect(result.http.headers.get('cache-control')).toBe('no-store');
    // Apollo's cache-control plugin hangs `info.cacheControl` on every field it sees; disabled, nothing does.
    expect(seen).toEqual([undefined]);
    const defaults = new ApolloServer({ schema });
    seen.length = 0;
    await defaults.executeOperation({ query: '{ hello }' });
    expect(seen[0]).toEqual(expect.objectContaining({ setCacheHint: expect.any(Function) }));
  });
});
