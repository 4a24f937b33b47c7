import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls } from '../support/call-recorder.js';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const SESSION = /* GraphQL */ `
  query Session($userId: ID, $context: RecommendationContext, $first: Int) {
    recommendations(userId: $userId, context: $context, first: $first) {
      rank
      score
      item { id }
      explanation { kind summary contributions(first: 50) { item { id } interactionType evidence(first: 3) { hop user { id } } } }
    }
  }
`;

const STORE_STATE = /* GraphQL */ `{ users(first: 100) { nodes { id interactionCount } } }`;

const ids = (list: any[]) => list.map((r) => r.item.id);

export function describeSessionRecommendations(leg: StoreLeg): void {
  describe(`session recommendations: an anonymous visit ranked from the items it gives (${leg.name} store)`, () => {
    const { calls, decorators } = recordCalls();
    let server: TestServer;
    let tasteA: string[];
    let tasteB: string[];
    beforeAll(async () => {
      server = await startTestServerOn(leg, decorators);
      const history = async (userId: string) =>
        (await server.graphql(`{ user(id: "${userId}") { interactions(first: 8) { item { id } } } }`)).data.user.interactions.map((i: any) => i.item.id);
      tasteA = await history('user-0001');
      tasteB = await history('user-0002');
    });
    afterAll(() => server?.close());
    beforeEach(() => calls.clear());

    it('gives an anonymous visit personalised, explained results that follow its taste, writing nothing', async () => {
      const before = await server.graphql(STORE_STATE);
      const a = await server.graphql(SESSION, { context: { itemIds: tasteA }, first: 10 });
      const b = await server.graphql(SESSION, { context: { itemIds: tasteB }, first: 10 });
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      const listA = a.data.recommendations;
      expect(listA).toHaveLength(10);
      for (const r of listA) {
        expect(r.explanation.kind).toBe('ATTENTION');
        expect(r.explanation.summary).toMatch(/^Because you viewed “/);
        // Hop 1 is the visit's items, nothing else.
        for (const c of r.explanation.contributions) expect(tasteA).toContain(c.item.id);
      }
      // Items of the visit are never recommended back.
      for (const itemId of ids(listA)) expect(tasteA).not.toContain(itemId);
      expect(ids(listA)).not.toEqual(ids(b.data.recommendations));
      expect(calls.store.recordInteractions).toBeUndefined();
      expect(calls.store.upsertItems).toBeUndefined();
      expect(await server.graphql(STORE_STATE)).toEqual(before);
    });

    it('weights and words each item by its type', async () => {
      const [bought, viewed] = tasteA;
      const { data, errors } = await server.graphql(SESSION, { context: { itemIds: [bought, viewed], types: ['PURCHASE', 'VIEW'] }, first: 5 });
      expect(errors).toBeUndefined();
      const summaries = data.recommendations.map((r: any) => r.explanation.summary).join('\n');
      expect(summaries).toMatch(/bought “/);
      const types = new Map(data.recommendations[0].explanation.contributions.map((c: any) => [c.item.id, c.interactionType]));
      expect(types.get(bought)).toBe('PURCHASE');
      expect(types.get(viewed)).toBe('VIEW');
    });

    it('joins a stored user’s history for that answer only: session items first, duplicates merged', async () => {
      const plain = await server.graphql(SESSION, { userId: 'user-0001', first: 10 });
      const own = new Set(tasteA);
      const visit = tasteB.filter((id) => !own.has(id)).slice(0, 3);
      const merged = await server.graphql(SESSION, { userId: 'user-0001', context: { itemIds: [...visit, tasteA[0]] }, first: 10 });
      expect(merged.errors).toBeUndefined();
      const list = merged.data.recommendations;
      expect(ids(list)).not.toEqual(ids(plain.data.recommendations));
      for (const itemId of ids(list)) {
        expect(visit).not.toContain(itemId);
        expect(own.has(itemId)).toBe(false);
      }
      const hop1 = list[0].explanation.contributions.map((c: any) => c.item.id);
      for (const itemId of visit) expect(hop1).toContain(itemId);
      // An item both visited and in the history is one neighbour.
      expect(hop1.filter((id: string) => id === tasteA[0])).toHaveLength(1);
      // The user is not their own second-hop evidence.
      for (const c of list[0].explanation.contributions) for (const e of c.evidence) expect(e.user.id).not.toBe('user-0001');
      // The next plain answer has forgotten the visit.
      expect(ids((await server.graphql(SESSION, { userId: 'user-0001', first: 10 })).data.recommendations)).toEqual(ids(plain.data.recommendations));
    });

    it('is User.recommendations’ context too', async () => {
      const context = { itemIds: tasteB.slice(0, 3) };
      const { data, errors } = await server.graphql(
        `query ($context: RecommendationContext) {
          root: recommendations(userId: "user-0001", context: $context, first: 5) { item { id } }
          user(id: "user-0001") { recommendations(first: 5, context: $context) { item { id } } }
        }`,
        { context },
      );
      expect(errors).toBeUndefined();
      expect(ids(data.user.recommendations)).toEqual(ids(data.root));
    });

    it('batches 20 visits and users into one round trip per kind and one model run; equal visits are one key', async () => {
      const users = Array.from({ length: 10 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
      // Ten distinct visits (two items each): the pairs differ from one another.
      const sessions = Array.from({ length: 10 }, (_, i) => [tasteA[i % 8]!, tasteB[(i + Math.floor(i / 8)) % 8]!]);
      const query = `{
        ${users.map((u, i) => `u${i}: recommendations(userId: "${u}", first: 3) { item { id } }`).join('\n')}
        ${sessions.map((s, i) => `s${i}: recommendations(context: { itemIds: ${JSON.stringify(s)} }, first: 3) { item { id } }`).join('\n')}
        again: recommendations(context: { itemIds: ${JSON.stringify(sessions[0])} }, first: 3) { item { id } }
      }`;
      const { data, errors } = await server.graphql(query);
      expect(errors).toBeUndefined();
      expect(data.again).toEqual(data.s0);
      expect(calls.store.neighbourhoods).toEqual([users]);
      expect(calls.store.itemUsers).toHaveLength(1);
      expect(new Set(calls.store.itemUsers![0] as string[])).toEqual(new Set(sessions.flat()));
      // One read of the visits' records, one of the ranked items' records.
      expect(calls.store.items).toHaveLength(2);
      expect(calls.modelRuns).toEqual([20]);
    });

    it('falls back to popular items, saying why, for a visit with no item the model knows', async () => {
      const { data, errors } = await server.graphql(SESSION, { context: { itemIds: ['no-such-item'] }, first: 3 });
      expect(errors).toBeUndefined();
      expect(data.recommendations).toHaveLength(3);
      for (const r of data.recommendations) {
        expect(r.explanation.kind).toBe('POPULARITY_FALLBACK');
        expect(r.explanation.summary).toMatch(/nothing you looked at in this visit/);
      }
      expect(calls.modelRuns).toEqual([]);
      // An empty visit changes nothing for a user, and leaves an unknown one the fallback's usual reason.
      const known = await server.graphql(SESSION, { userId: 'user-0001', context: { itemIds: [] }, first: 3 });
      const plain = await server.graphql(SESSION, { userId: 'user-0001', first: 3 });
      expect(ids(known.data.recommendations)).toEqual(ids(plain.data.recommendations));
      const unknown = await server.graphql(SESSION, { userId: 'nobody-at-all', context: { itemIds: [] }, first: 3 });
      expect(unknown.data.recommendations[0].explanation.summary).toMatch(/do not know you yet/);
    });

    it('rejects a request with neither user nor visit, too many items, misaligned types and bad ids', async () => {
      const code = async (variables: Record<string, unknown>) => (await server.graphql(SESSION, variables)).errors?.[0]?.extensions;
      expect(await code({})).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'userId' });
      expect(await code({ context: { itemIds: Array.from({ length: 51 }, (_, i) => `item-${i}`) } })).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'context.itemIds',
      });
      expect(await code({ context: { itemIds: ['item-0001', 'item-0002'], types: ['LIKE'] } })).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'context.types',
      });
      expect(await code({ context: { itemIds: ['has space'] } })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'context.itemIds[0]' });
    });
  });
}
