import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const RECOMMEND = /* GraphQL */ `
  query ($userId: ID!) {
    recommendations(userId: $userId, first: 10) {
      item { id category }
      explanation { kind summary contributions(first: 50) { item { id } } }
    }
  }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) {
    recordInteractions(input: $input) {
      recordedCount
      interactions { id type weight occurredAt user { id } item { id title } }
      users { id interactionCount }
    }
  }
`;

export function describeRealtimeUpdates(leg: StoreLeg): void {
  describe(`real-time updates without retraining (${leg.name} store)`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServerOn(leg);
    });
    afterAll(() => server?.close());

    it('reflects a new interaction in the very next query', async () => {
      const before = (await server.graphql(RECOMMEND, { userId: 'user-0042' })).data.recommendations;
      const liked = before[0].item.id;
      const recorded = await server.graphql(RECORD, {
        input: [{ userId: 'user-0042', itemId: liked, type: 'PURCHASE' }],
      });
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data.recordInteractions.recordedCount).toBe(1);
      expect(recorded.data.recordInteractions.interactions[0]).toMatchObject({ type: 'PURCHASE', weight: 3 });

      const after = (await server.graphql(RECOMMEND, { userId: 'user-0042' })).data.recommendations;
      expect(after.map((r: any) => r.item.id)).not.toContain(liked);
      expect(after.map((r: any) => r.item.id)).not.toEqual(before.map((r: any) => r.item.id));
      // The newest interaction is sampled first, so it is among every explanation's neighbours.
      expect(after[0].explanation.contributions.map((c: any) => c.item.id)).toContain(liked);
    });

    it('gives a new user a flagged popularity fallback, then personalised results after one interaction', async () => {
      const newcomer = 'newcomer-jazz-fan';
      const cold = (await server.graphql(RECOMMEND, { userId: newcomer })).data.recommendations;
      expect(cold).toHaveLength(10);
      for (const r of cold) {
        expect(r.explanation.kind).toBe('POPULARITY_FALLBACK');
        expect(r.explanation.contributions).toEqual([]);
      }
      expect(cold[0].explanation.summary).toMatch(/do not know you yet/);

      const jazz = await server.graphql(`{ items(first: 3, category: "Jazz") { nodes { id } } }`);
      const input = jazz.data.items.nodes.map((n: any) => ({ userId: newcomer, itemId: n.id, type: 'LIKE' }));
      const recorded = await server.graphql(RECORD, { input });
      expect(recorded.data.recordInteractions.users).toEqual([{ id: newcomer, interactionCount: 3 }]);

      const warm = (await server.graphql(RECOMMEND, { userId: newcomer })).data.recommendations;
      expect(warm.every((r: any) => r.explanation.kind === 'ATTENTION')).toBe(true);
      expect(warm.filter((r: any) => r.item.category === 'Jazz').length).toBeGreaterThanOrEqual(6);
      expect(warm[0].explanation.summary).toMatch(/^Because you (viewed|clicked|checked in at|liked|put|bought) “/);
    });

    it('rejects interactions with an unknown item and writes nothing', async () => {
      const result = await server.graphql(RECORD, {
        input: [
          { userId: 'never-written', itemId: 'item-0001' },
          { userId: 'never-written', itemId: 'no-such-item' },
        ],
      });
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', unknownItemIds: ['no-such-item'] });
      expect(result.errors![0]!.message).toContain('no-such-item');
      const user = await server.graphql(`{ user(id: "never-written") { id } }`);
      expect(user.data.user).toBeNull();
    });

    it('records a retried interaction id once', async () => {
      const input = [{ id: 'retry-1', userId: 'user-0100', itemId: 'item-0002', type: 'VIEW', occurredAt: '2026-06-01T00:00:00.000Z' }];
      const first = await server.graphql(RECORD, { input });
      const again = await server.graphql(RECORD, { input });
      expect(first.data.recordInteractions.recordedCount).toBe(1);
      expect(again.data.recordInteractions.recordedCount).toBe(0);
      expect(again.data.recordInteractions.interactions[0]).toMatchObject({ id: 'retry-1', occurredAt: '2026-06-01T00:00:00.000Z' });
    });

    it('validates weights', async () => {
      const result = await server.graphql(RECORD, { input: [{ userId: 'user-0001', itemId: 'item-0001', weight: -1 }] });
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input[0].weight' });
    });
  });
}
