import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const LIMITS = {
  MAX_QUERY_DEPTH: '6',
  MAX_QUERY_ALIASES: '3',
  MAX_QUERY_DIRECTIVES: '3',
  MAX_QUERY_TOKENS: '200',
  MAX_QUERY_COST: '2000',
};

describe('query abuse limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, LIMITS);
  });
  afterAll(() => server?.close());

  const rejected = async (query: string, variables?: Record<string, unknown>) => {
    const response = await server.graphql(query, variables);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toHaveLength(1);
    return response.errors![0]!;
  };

  it('refuses queries deeper than MAX_QUERY_DEPTH with QUERY_TOO_DEEP', async () => {
    const error = await rejected(
      '{ user(id: "user-0001") { recommendations(first: 1) { explanation { contributions(first: 1) { evidence(first: 1) { item { id } } } } } } }',
    );
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 6 });
    expect(error.message).toMatch(/depth limit of 6 exceeded/);
  });

  it('refuses more aliases than MAX_QUERY_ALIASES with TOO_MANY_ALIASES', async () => {
    const error = await rejected('{ a: model { version } b: model { version } c: model { version } d: model { version } }');
    expect(error.extensions).toEqual({ code: 'TOO_MANY_ALIASES', limit: 3 });
  });

  it('refuses more directives than MAX_QUERY_DIRECTIVES with TOO_MANY_DIRECTIVES', async () => {
    const error = await rejected('{ model { version @skip(if: false) format @skip(if: false) heads @include(if: true) fanouts @include(if: true) } }');
    expect(error.extensions).toEqual({ code: 'TOO_MANY_DIRECTIVES', limit: 3 });
  });

  it('refuses documents of more than MAX_QUERY_TOKENS tokens with TOO_MANY_TOKENS', async () => {
    const error = await rejected(`{ model { ${'version '.repeat(300)} } }`);
    expect(error).toEqual({ message: 'Token limit of 200 exceeded.', extensions: { code: 'TOO_MANY_TOKENS', limit: 200 } });
  });

  it('multiplies `first` through nested lists and refuses costs over MAX_QUERY_COST with QUERY_TOO_COSTLY', async () => {
    const query = /* GraphQL */ `
      query ($n: Int) { users(first: $n) { nodes { interactions(first: $n) { item { id title } } } } }
    `;
    // 10 users × 10 interactions × (interaction + item + 2 fields): within 2000.
    const small = await server.graphql(query, { n: 10 });
    expect(small.errors).toBeUndefined();
    expect(small.data.users.nodes).toHaveLength(10);
    // 50 × 50 × 4 = 10,000: over.
    const error = await rejected(query, { n: 50 });
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 2000 });
    expect(error.message).toMatch(/cost limit of 2000 exceeded, found \d+/);
  });

  it('adds a visit’s items to the cost of recommendations and multiplies them through nesting', async () => {
    const query = /* GraphQL */ `
      query ($context: RecommendationContext) { users(first: 40) { nodes { recommendations(first: 1, context: $context) { score } } } }
    `;
    // 40 users × (nodes + recommendations + score + 1 item): within 2000.
    const small = await server.graphql(query, { context: { itemIds: ['item-0001'] } });
    expect(small.errors).toBeUndefined();
    // 40 users × 50 items of the visit alone is 2,000: over.
    const visit = Array.from({ length: 50 }, (_, i) => `item-${String(i + 1).padStart(4, '0')}`);
    const error = await rejected(query, { context: { itemIds: visit } });
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 2000 });
    // A list longer than validation allows is refused before any resolver runs, never let through.
    const huge = await rejected(`query ($ids: [ID!]!) { recommendations(context: { itemIds: $ids }) { score } }`, {
      ids: Array.from({ length: 3000 }, () => 'item-0001'),
    });
    expect(huge.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
  });

  it('multiplies the `first` of similar items through nesting', async () => {
    const query = /* GraphQL */ `
      query ($n: Int) { item(id: "item-0011") { similarItems(first: $n) { item { similarItems(first: $n) { item { id } } } } } }
    `;
    // 1 + 10 × (2 + 3 × 10) = 321: within 2000.
    const small = await server.graphql(query, { n: 10 });
    expect(small.errors).toBeUndefined();
    // 1 + 30 × (2 + 3 × 30) = 2761: over.
    const error = await rejected(query, { n: 30 });
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 2000 });
    expect(error.message).toMatch(/found 2761/);
  });

  it('keeps variables that do not coerce BAD_USER_INPUT, not a cost refusal', async () => {
    const response = await server.graphql('query ($n: Int) { users(first: $n) { nodes { id } } }', { n: 'ten' });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('MAX_RESPONSE_BYTES', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { MAX_RESPONSE_BYTES: '10000' });
  });
  afterAll(() => server?.close());

  it('replaces an answer larger than the limit by one RESPONSE_TOO_LARGE error', async () => {
    const small = await server.graphql('{ items(first: 10) { nodes { id title } } }');
    expect(small.errors).toBeUndefined();
    const large = await server.graphql('{ items(first: 100) { nodes { id title category } } a: items(first: 100, after: "aXRlbS0wMTAw") { nodes { id title category } } }');
    expect(large.data).toBeUndefined();
    expect(large.errors).toEqual([{ message: expect.stringMatching(/larger than 10000 bytes/), extensions: { code: 'RESPONSE_TOO_LARGE', limit: 10000 } }]);
  });
});

describe('fragments under the default limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('counts a fragment spread every time it is spread', async () => {
    // A page of 100 items costs 300; Z spreads it 100 times (30,000, within 500,000), W 2,000 times (600,000).
    const fragments = [
      'fragment X on Query { items(first: 100) { nodes { id } } }',
      `fragment Y on Query { ${'...X '.repeat(10)}}`,
      `fragment Z on Query { ${'...Y '.repeat(10)}}`,
    ].join(' ');
    const within = await server.graphql(`query { ...Z } ${fragments}`);
    expect(within.errors).toBeUndefined();
    expect(within.data.items.nodes).toHaveLength(100);
    const over = await server.graphql(`query { ...W } fragment W on Query { ${'...Z '.repeat(20)}} ${fragments}`);
    expect(over.status).toBe(400);
    expect(over.errors).toEqual([{ message: expect.stringMatching(/found 600000/), extensions: { code: 'QUERY_TOO_COSTLY', limit: 500_000 } }]);
  });

  it('is refused with QUERY_TOO_COSTLY when it expands beyond what the estimate visits, not let through', async () => {
    const fragments = ['fragment A on Query { model { version } }'];
    for (const [name, spread] of [['B', 'A'], ['C', 'B'], ['D', 'C'], ['E', 'D']]) {
      fragments.push(`fragment ${name} on Query { ${`...${spread} `.repeat(10)}}`);
    }
    const heavy = 'users(first: 30) { nodes { id recommendations(first: 100) { explanation { contributions(first: 50) { evidence(first: 50) { weight } } } } } }';
    const response = await server.graphql(`query { ...E ${heavy} } ${fragments.join(' ')}`);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      { message: expect.stringMatching(/expands to more than \d+ fields/), extensions: { code: 'QUERY_TOO_COSTLY', limit: 500_000 } },
    ]);
  });
});
