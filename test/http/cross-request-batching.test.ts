import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const QUERY = /* GraphQL */ `
  query Recommend($userId: ID!) {
    recommendations(userId: $userId, first: 5) {
      score
      item { id }
      explanation { summary contributions(first: 3) { share item { id } } }
    }
  }
`;

/** Scores may differ in the last float32 digits when padding widths differ between batches. */
const approximately = (value: unknown): unknown =>
  typeof value === 'number'
    ? expect.closeTo(value, 4)
    : Array.isArray(value)
      ? value.map(approximately)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, approximately(v)]))
        : value;

const users = Array.from({ length: 24 }, (_, i) => `user-${String(i * 37 + 1).padStart(4, '0')}`);

/**
 * Counts the store's neighbourhood calls and the users each one asked for. Each call is slowed a
 * little, as a remote store would be, so concurrent requests reliably find batches in flight.
 */
function countingStore(calls: string[][]) {
  return (store: GraphStore): GraphStore =>
    Object.assign(Object.create(store), {
      neighbourhoods: async (userIds: readonly string[], fanouts: { hop1: number; hop2: number }) => {
        calls.push([...userIds]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return store.neighbourhoods(userIds, fanouts);
      },
    });
}

describe.each([
  ['on', 'true'],
  ['off', 'false'],
])('cross-request batching %s', (_, enabled) => {
  const calls: string[][] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: countingStore(calls) }, { RECOMMENDATION_BATCHING: enabled });
  });
  afterAll(() => server?.close());

  it('gives each of many concurrent requests for different users exactly its own answer', async () => {
    const alone: unknown[] = [];
    for (const userId of users) alone.push((await server.graphql(QUERY, { userId })).data);
    calls.length = 0;

    const concurrent = await Promise.all(users.map((userId) => server.graphql(QUERY, { userId })));
    concurrent.forEach((response, i) => {
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual(approximately(alone[i]));
    });
    expect(calls.flat().sort()).toEqual([...users].sort());
    if (enabled === 'true') expect(calls.length).toBeLessThan(users.length);
    else expect(calls.length).toBe(users.length);
  });

  it('explains the requests that ask for it when requests with and without explanations run together', async () => {
    const bare = /* GraphQL */ `query Bare($userId: ID!) { recommendations(userId: $userId, first: 10) { score item { id } } }`;
    const queryOf = (i: number) => (i % 2 === 0 ? QUERY : bare);
    const alone: unknown[] = [];
    for (const [i, userId] of users.entries()) alone.push((await server.graphql(queryOf(i), { userId })).data);

    const concurrent = await Promise.all(users.map((userId, i) => server.graphql(queryOf(i), { userId })));
    concurrent.forEach((response, i) => {
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual(approximately(alone[i]));
    });
  });
});

describe('cross-request batching with filters', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('keeps each request’s filter its own when requests for the same user share a batch', async () => {
    const filtered = /* GraphQL */ `
      query Filtered($category: String!) {
        recommendations(userId: "user-0003", first: 10, filter: { includeCategories: [$category] }) { item { category } }
      }
    `;
    const categories = ['Jazz', 'Tea', 'Science Fiction', 'Jazz', 'Tea', 'Science Fiction'];
    const responses = await Promise.all(categories.map((category) => server.graphql(filtered, { category })));
    responses.forEach((response, i) => {
      expect(response.data.recommendations.length).toBeGreaterThan(0);
      for (const r of response.data.recommendations) expect(r.item.category).toBe(categories[i]);
    });
  });
});
