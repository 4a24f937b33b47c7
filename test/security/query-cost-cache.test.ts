import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const analyses = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql-query-complexity', async (importOriginal) => {
  const actual = await importOriginal<typeof import('graphql-query-complexity')>();
  return {
    ...actual,
    getComplexity: (...args: Parameters<typeof actual.getComplexity>) => {
      analyses.count++;
      return actual.getComplexity(...args);
    },
  };
});

describe('query cost analysis, remembered per document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { MAX_QUERY_COST: '2000' });
  });
  afterAll(() => server?.close());

  const NESTED = /* GraphQL */ `
    query ($n: Int, $u: ID!) { user(id: $u) { id } users(first: $n) { nodes { interactions(first: $n) { item { id } } } } }
  `;
  const costly = (response: Awaited<ReturnType<TestServer['graphql']>>) => response.errors?.[0]?.extensions?.code === 'QUERY_TOO_COSTLY';

  it('analyses a repeated document once, whatever its other variables', async () => {
    const before = analyses.count;
    for (const u of ['user-0001', 'user-0002', 'user-0003']) {
      const response = await server.graphql(NESTED, { n: 10, u });
      expect(response.errors).toBeUndefined();
      expect(response.data.user.id).toBe(u);
    }
    expect(analyses.count - before).toBe(1);
  });

  it('still refuses the same document when a different `first` makes it too costly', async () => {
    expect(costly(await server.graphql(NESTED, { n: 10, u: 'user-0001' }))).toBe(false);
    const before = analyses.count;
    const refused = await server.graphql(NESTED, { n: 50, u: 'user-0001' });
    expect(refused.status).toBe(400);
    expect(refused.errors![0]!.message).toMatch(/cost limit of 2000 exceeded, found \d+/);
    // Refused again from memory, and the cheap variant still runs.
    expect(costly(await server.graphql(NESTED, { n: 50, u: 'user-0002' }))).toBe(true);
    expect(costly(await server.graphql(NESTED, { n: 10, u: 'user-0002' }))).toBe(false);
    expect(analyses.count - before).toBe(1);
  });

  it('tells a missing variable (its default applies) from an explicit null', async () => {
    const withDefault = /* GraphQL */ `query ($n: Int = 50) { users(first: $n) { nodes { interactions(first: $n) { item { id } } } } }`;
    expect(costly(await server.graphql(withDefault, { n: null }))).toBe(false);
    expect(costly(await server.graphql(withDefault, {}))).toBe(true);
  });

  it('counts @skip and @include variables and the length of list variables', async () => {
    const skippable = /* GraphQL */ `query ($n: Int, $skip: Boolean!) { users(first: $n) @skip(if: $skip) { nodes { interactions(first: $n) { item { id } } } } }`;
    expect(costly(await server.graphql(skippable, { n: 50, skip: true }))).toBe(false);
    expect(costly(await server.graphql(skippable, { n: 50, skip: false }))).toBe(true);

    const write = /* GraphQL */ `mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { users { interactions(first: 50) { item { id } } } } }`;
    const interaction = (i: number) => ({ userId: 'user-0001', itemId: 'item-0001', type: 'VIEW', id: `cost-cache-${i}` });
    expect(costly(await server.graphql(write, { input: [interaction(1)] }))).toBe(false);
    expect(costly(await server.graphql(write, { input: Array.from({ length: 40 }, (_, i) => interaction(i)) }))).toBe(true);
  });
});
