import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls } from '../support/call-recorder.js';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const LIST = /* GraphQL */ `
  query List($userId: ID!, $first: Int, $after: String, $explain: Boolean!, $rules: RankingRules) {
    recommendationList(userId: $userId, first: $first, after: $after, rules: $rules) {
      recommendationId
      nodes { rank score item { id } explanation @include(if: $explain) { kind rules { kind } contributions(first: 3) { share } } }
      edges { cursor node { rank } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;
const PLAIN = /* GraphQL */ `
  query Plain($userId: ID!, $first: Int) { recommendations(userId: $userId, first: $first) { rank score item { id } } }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }
`;

const ids = (list: any[]) => list.map((r) => r.item.id);

export function describeRecommendationList(leg: StoreLeg): void {
  describe(`ranked lists page by page over HTTP (recommendationList) (${leg.name} store)`, () => {
    const { calls, decorators } = recordCalls();
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServerOn(leg, decorators);
    });
    afterAll(() => server?.close());
    beforeEach(() => calls.clear());

    const page = async (variables: Record<string, unknown>) => {
      const { data, errors } = await server.graphql(LIST, { explain: true, ...variables });
      expect(errors).toBeUndefined();
      return data.recommendationList;
    };

    it('pages through the ranking of `recommendations`, with one id, cursors and explanations on every page', async () => {
      const plain = (await server.graphql(PLAIN, { userId: 'user-0003', first: 20 })).data.recommendations;
      const first = await page({ userId: 'user-0003', first: 10 });
      expect(ids(first.nodes)).toEqual(ids(plain).slice(0, 10));
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor });
      const second = await page({ userId: 'user-0003', first: 10, after: first.pageInfo.endCursor });
      expect(second.recommendationId).toBe(first.recommendationId);
      expect(ids(second.nodes)).toEqual(ids(plain).slice(10, 20));
      expect(second.nodes.map((r: any) => r.rank)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      second.nodes.forEach((r: any, k: number) => expect(r.score).toBeCloseTo(plain[10 + k].score, 5));
      expect(second.pageInfo.hasPreviousPage).toBe(true);
      for (const r of second.nodes) {
        expect(r.explanation.kind).toBe('ATTENTION');
        expect(r.explanation.contributions.length).toBeGreaterThan(0);
      }
      // An edge's cursor continues after its own item.
      const fromEdge = await page({ userId: 'user-0003', first: 2, after: second.edges[4].cursor });
      expect(ids(fromEdge.nodes)).toEqual(ids(plain).slice(15, 17));
    });

    it('keeps its order while the user interacts: later pages neither repeat nor skip items', async () => {
      const first = await page({ userId: 'user-0010', first: 10 });
      const recorded = await server.graphql(RECORD, {
        input: first.nodes.slice(0, 3).map((r: any) => ({ userId: 'user-0010', itemId: r.item.id, type: 'PURCHASE' })),
      });
      expect(recorded.errors).toBeUndefined();
      const fresh = (await server.graphql(PLAIN, { userId: 'user-0010', first: 20 })).data.recommendations;
      const second = await page({ userId: 'user-0010', first: 10, after: first.pageInfo.endCursor });
      const seen = [...ids(first.nodes), ...ids(second.nodes)];
      expect(new Set(seen).size).toBe(20);
      expect(second.nodes.map((r: any) => r.rank)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      // The live ranking has moved on; the kept list has not.
      expect(ids(fresh).slice(0, 10)).not.toEqual(ids(first.nodes));
    });

    it('reaches 500 deep in pages of 100, then ends', async () => {
      let after: string | null = null;
      const all: string[] = [];
      for (let n = 0; n < 5; n++) {
        const p: any = await page({ userId: 'user-0020', first: 100, after, explain: false });
        all.push(...ids(p.nodes));
        expect(p.pageInfo.hasNextPage).toBe(n < 4);
        after = p.pageInfo.endCursor;
      }
      expect(new Set(all).size).toBe(500);
    });

    it('ranks a page again only when its explanations are read: one model run restricted to its items', async () => {
      const first = await page({ userId: 'user-0030', first: 10, explain: false });
      expect(calls.modelRuns).toEqual([1]);
      calls.clear();
      await page({ userId: 'user-0030', first: 10, after: first.pageInfo.endCursor, explain: false });
      expect(calls.modelRuns).toEqual([]);
      expect(calls.store.items).toHaveLength(1);
      await page({ userId: 'user-0030', first: 10, after: first.pageInfo.endCursor, explain: true });
      expect(calls.modelRuns).toEqual([1]);
    });

    it('keeps the rules of the list: a pinned item stays where the pin put it, explained by the rule', async () => {
      const rules = { pins: [{ name: 'Deep pin', itemId: 'item-0490', position: 12 }] };
      const first = await page({ userId: 'user-0040', first: 10, rules });
      const second = await page({ userId: 'user-0040', first: 10, after: first.pageInfo.endCursor, rules });
      expect(second.nodes[1].item.id).toBe('item-0490');
      expect(second.nodes[1].explanation.rules).toEqual([{ kind: 'PIN' }]);
    });

    it('pages the popularity fallback of an unknown user', async () => {
      const first = await page({ userId: 'nobody-at-all', first: 5 });
      const second = await page({ userId: 'nobody-at-all', first: 5, after: first.pageInfo.endCursor });
      expect(new Set([...ids(first.nodes), ...ids(second.nodes)]).size).toBe(10);
      expect(second.nodes.every((r: any) => r.explanation.kind === 'POPULARITY_FALLBACK')).toBe(true);
    });

    it('refuses a cursor of another request, an unknown list or no list cursor at all as BAD_USER_INPUT', async () => {
      const first = await page({ userId: 'user-0050', first: 5 });
      const other = await server.graphql(LIST, { userId: 'user-0051', first: 5, after: first.pageInfo.endCursor, explain: false });
      expect(other.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after', reason: 'LIST_EXPIRED' });
      const unknown = Buffer.from('00000000-0000-4000-8000-000000000000:5').toString('base64url');
      const expired = await server.graphql(LIST, { userId: 'user-0050', first: 5, after: unknown, explain: false });
      expect(expired.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LIST_EXPIRED' });
      expect(expired.errors![0]!.message).toMatch(/start again without `after`/);
      const notOurs = await server.graphql(LIST, { userId: 'user-0050', first: 5, after: Buffer.from('user-0001').toString('base64url'), explain: false });
      expect(notOurs.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    });
  });
}
