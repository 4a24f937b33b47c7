import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }
`;

describe('argument validation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const count = async (userId: string) =>
    (await server.graphql('query ($id: ID!) { user(id: $id) { interactionCount } }', { id: userId })).data.user?.interactionCount ?? 0;

  const expectBadInput = async (query: string, variables: Record<string, unknown>, argument: string) => {
    const { status, errors } = await server.graphql(query, variables);
    expect(status).toBe(200);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(errors![0]!.message).toContain(argument);
  };

  it.each([
    ['an id with spaces', { userId: 'user 0001', itemId: 'item-0001' }, 'input[1].userId'],
    ['an id with a quote', { userId: 'user-0001', itemId: "item-0001'" }, 'input[1].itemId'],
    ['an id of 129 characters', { userId: 'u'.repeat(129), itemId: 'item-0001' }, 'input[1].userId'],
    ['an empty idempotency key', { id: '', userId: 'user-0001', itemId: 'item-0001' }, 'input[1].id'],
    ['a zero weight', { userId: 'user-0001', itemId: 'item-0001', weight: 0 }, 'input[1].weight'],
    ['a weight over 100', { userId: 'user-0001', itemId: 'item-0001', weight: 100.5 }, 'input[1].weight'],
    ['a weight that is 0 as float32', { userId: 'user-0001', itemId: 'item-0001', weight: 5e-324 }, 'input[1].weight'],
    ['a weight that is subnormal as float32', { userId: 'user-0001', itemId: 'item-0001', weight: 1e-40 }, 'input[1].weight'],
    ['a time in the future', { userId: 'user-0001', itemId: 'item-0001', occurredAt: '2999-01-01T00:00:00Z' }, 'input[1].occurredAt'],
    ['a time before 1970', { userId: 'user-0001', itemId: 'item-0001', occurredAt: '1969-12-31T23:59:59Z' }, 'input[1].occurredAt'],
  ])('refuses %s, naming the field, and writes nothing', async (_, bad, argument) => {
    const before = await count('user-0001');
    await expectBadInput(RECORD, { input: [{ userId: 'user-0001', itemId: 'item-0002' }, bad] }, argument);
    expect(await count('user-0001')).toBe(before);
  });

  it('refuses an empty or oversized input list', async () => {
    await expectBadInput(RECORD, { input: [] }, 'input');
    await expectBadInput(RECORD, { input: Array.from({ length: 1001 }, () => ({ userId: 'u-1', itemId: 'item-0001' })) }, 'input');
    expect(await count('u-1')).toBe(0);
  });

  it('refuses unknown enum values and wrongly typed variables with BAD_USER_INPUT', async () => {
    for (const input of [
      [{ userId: 'user-0001', itemId: 'item-0001', type: 'STEAL' }],
      [{ userId: 'user-0001', itemId: 'item-0001', occurredAt: 'yesterday' }],
      [{ userId: 'user-0001', itemId: 'item-0001', weight: 'heavy' }],
      [{ userId: 42.5, itemId: 'item-0001' }],
    ]) {
      const { status, errors } = await server.graphql(RECORD, { input });
      expect(status).toBe(400);
      expect(errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    }
  });

  it('validates ids, categories and filters of queries', async () => {
    await expectBadInput('query ($id: ID!) { user(id: $id) { id } }', { id: 'a\nb' }, 'id');
    await expectBadInput('query ($id: ID!) { item(id: $id) { id } }', { id: '' }, 'id');
    await expectBadInput('query ($c: String) { items(category: $c) { nodes { id } } }', { c: 'x'.repeat(201) }, 'category');
    await expectBadInput('{ items(after: "not-a-cursor!") { nodes { id } } }', {}, 'after');
    const recommend = 'query ($f: RecommendationFilter) { recommendations(userId: "user-0001", filter: $f) { rank } }';
    await expectBadInput(recommend, { f: { excludeItemIds: ['item-0001', 'bad id'] } }, 'filter.excludeItemIds[1]');
    await expectBadInput(recommend, { f: { includeCategories: ['Jazz\u0000'] } }, 'filter.includeCategories[0]');
  });

  it('accepts the smallest weight float32 holds exactly enough, and recommends for that user', async () => {
    const recorded = await server.graphql(RECORD, { input: [{ userId: 'tiny-weight', itemId: 'item-0001', weight: 1.2e-38 }] });
    expect(recorded.errors).toBeUndefined();
    const { errors, data } = await server.graphql('{ recommendations(userId: "tiny-weight", first: 3) { score } }');
    expect(errors).toBeUndefined();
    for (const { score } of data.recommendations) expect(Number.isFinite(score)).toBe(true);
  });

  it('never lets a weight stored before these checks turn scores into NaN', async () => {
    await server.app.store.recordInteractions([
      { id: null, userId: 'poisoned', itemId: 'item-0001', type: 'VIEW', weight: 5e-324, occurredAt: new Date() },
      { id: null, userId: 'poisoned', itemId: 'item-0002', type: 'VIEW', weight: 1, occurredAt: new Date() },
    ]);
    const { errors, data } = await server.graphql('{ recommendations(userId: "poisoned", first: 5) { score explanation { contributions { weight share } } } }');
    expect(errors).toBeUndefined();
    expect(data.recommendations).toHaveLength(5);
    for (const r of data.recommendations) {
      expect(Number.isFinite(r.score)).toBe(true);
      for (const c of r.explanation.contributions) expect(Number.isFinite(c.weight) && Number.isFinite(c.share)).toBe(true);
    }
  });

  it('refuses an idempotency id reused for another item or type with CONFLICT, and records nothing', async () => {
    const first = await server.graphql(RECORD, { input: [{ id: 'evt-conflict', userId: 'conflicted', itemId: 'item-0001' }] });
    expect(first.errors).toBeUndefined();
    for (const reuse of [{ itemId: 'item-0002' }, { itemId: 'item-0001', type: 'PURCHASE' }]) {
      const { errors } = await server.graphql(RECORD, {
        input: [{ userId: 'conflicted', itemId: 'item-0003' }, { id: 'evt-conflict', userId: 'conflicted', ...reuse }],
      });
      expect(errors).toHaveLength(1);
      expect(errors![0]).toMatchObject({ message: expect.stringMatching(/evt-conflict was already used/), extensions: { code: 'CONFLICT', argument: 'input[1].id' } });
    }
    expect(await count('conflicted')).toBe(1);
    const retry = await server.graphql(RECORD, { input: [{ id: 'evt-conflict', userId: 'conflicted', itemId: 'item-0001' }] });
    expect(retry.data.recordInteractions.recordedCount).toBe(0);
  });

  it('accepts ids with letters of any script and normalises them to NFC', async () => {
    const decomposed = 'ju\u0308rgen';
    const recorded = await server.graphql(RECORD, { input: [{ userId: decomposed, itemId: 'item-0001' }, { userId: 'Ärger-Ωμέγα-東京', itemId: 'item-0002' }] });
    expect(recorded.errors).toBeUndefined();
    expect(await count('j\u00fcrgen')).toBe(1);
    expect(await count(decomposed)).toBe(1);
    expect(await count('Ärger-Ωμέγα-東京')).toBe(1);
    const users = await server.graphql('query ($id: ID!) { user(id: $id) { id } }', { id: decomposed });
    expect(users.data.user.id).toBe('j\u00fcrgen');
  });

  it('answers unknown users and items as the schema documents', async () => {
    const { data, errors } = await server.graphql(
      '{ user(id: "nobody") { id } item(id: "nothing") { id } recommendations(userId: "nobody", first: 1) { explanation { kind } } }',
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ user: null, item: null, recommendations: [{ explanation: { kind: 'POPULARITY_FALLBACK' } }] });
  });
});
