import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedQueries } from '../support/documented-queries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Case {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

/** What the documented queries leave out: variables and their coercion errors, fragments, directives, errors beside data, entities, introspection. */
const EDGE_CASES: Record<string, Case> = {
  'variables, aliases, fragments and directives': {
    query: `query Q($u: ID!, $n: Int, $skip: Boolean!, $with: Boolean = true) {
      a: recommendations(userId: $u, first: $n) { ...Ranked }
      b: user(id: $u) { id ... on User { interactions(first: 2) @include(if: $with) { type weight occurredAt item { id } } } }
      c: item(id: "item-0001") @skip(if: $skip) { id title }
      __typename
    }
    fragment Ranked on Recommendation {
      __typename rank score item { __typename id title category }
      explanation { kind summary modelVersion contributions(first: 2) { weight share attention item { id } evidence(first: 2) { weight user { id } } } }
    }`,
    variables: { u: 'user-0001', n: 3, skip: false },
  },
  'a resolver error beside data': { query: '{ item(id: "item-0002") { id } recommendations(first: 3) { rank } }' },
  'an argument out of range': { query: '{ recommendations(userId: "user-0003", first: 1000) { rank } }' },
  'a variable of the wrong type': { query: 'query Q($n: Int) { recommendations(userId: "user-0001", first: $n) { rank } }', variables: { n: 'three' } },
  'a required variable missing': { query: 'query Q($u: ID!) { user(id: $u) { id } }', variables: {} },
  'null for a non-null variable': { query: 'query Q($u: ID!) { user(id: $u) { id } }', variables: { u: null } },
  'an input object variable': {
    query: `query Q($f: RecommendationFilter) { recommendations(userId: "user-0002", first: 4, filter: $f) { item { id category } } }`,
    variables: { f: { categories: ['Jazz', 'Science Fiction'] } },
  },
  'unknown ids': { query: '{ user(id: "nobody") { id } item(id: "nothing") { id } }' },
  'similar items and a paged list': {
    query: `{ similarItems(itemId: "item-0010", first: 3) { rank score sharedUserCount item { id } explanation { kind summary } }
      recommendationList(userId: "user-0004", first: 2) { edges { cursor node { rank item { id } } } pageInfo { hasNextPage endCursor } } }`,
  },
  'federation entities and the service SDL': {
    query: `query E($r: [_Any!]!) { _entities(representations: $r) { __typename ... on User { id recommendations(first: 2) { item { id } } } ... on Item { id title } } _service { sdl } }`,
    variables: { r: [{ __typename: 'User', id: 'user-0001' }, { __typename: 'Item', id: 'item-0002' }, { __typename: 'User', id: 'nobody' }] },
  },
  introspection: { query: '{ __schema { queryType { name } } __type(name: "Item") { name fields { name } } }' },
};

/** The documented queries that recograph answers alone and that write nothing. */
const DOCUMENTED: Record<string, Case> = Object.fromEntries(
  documentedQueries()
    .filter((q) => !q.name.startsWith('supergraph/') && !q.source.startsWith('mutation'))
    .map((q) => [q.name, { query: q.source }]),
);

/** A ranked list's cursors name the list by a random id (`<uuid>:<rank>`); the rank stays. */
const listCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString().match(/^[0-9a-f-]{36}(:\d+)$/)?.[1];

/** Every answer and ranked list carries a fresh random id; everything else must match byte for byte. */
const withoutAnswerIds = (body: string) =>
  body
    .replace(/"recommendationId":"[^"]*"/g, '"recommendationId":"…"')
    .replace(/"(cursor|endCursor)":"([^"]*)"/g, (whole, key: string, cursor: string) => {
      const rank = listCursor(cursor);
      return rank === undefined ? whole : `"${key}":"…${rank}"`;
    });

describe('the compiled executor answers byte for byte as graphql-js', () => {
  let interpreted: TestServer;
  let compiled: TestServer;
  beforeAll(async () => {
    // One data folder: both servers answer from the same seeded store.
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'recograph-executors-'));
    interpreted = await startTestServer({}, { DATA_DIR, GRAPHQL_EXECUTOR: 'graphql-js' });
    compiled = await startTestServer({}, { DATA_DIR, GRAPHQL_EXECUTOR: 'compiled' });
  });
  afterAll(async () => {
    await compiled?.close();
    await interpreted?.close();
  });

  const post = async (server: TestServer, { query, variables }: Case) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: withoutAnswerIds(await response.text()) };
  };

  it.each(Object.entries({ ...DOCUMENTED, ...EDGE_CASES }))('%s', async (_name, request) => {
    const reference = await post(interpreted, request);
    expect(reference.status).toBeLessThan(500);
    expect(await post(compiled, request)).toEqual(reference);
  });

  it('ran the queries compiled, and introspection on graphql-js', async () => {
    const executions = await compiled.app.metrics.executions.get();
    const count = (executor: string, reason: string) =>
      executions.values.find((v) => v.labels.executor === executor && v.labels.reason === reason)?.value ?? 0;
    expect(count('compiled', 'none')).toBeGreaterThanOrEqual(Object.keys(DOCUMENTED).length);
    expect(count('graphql-js', 'introspection')).toBe(1);
  });
});
