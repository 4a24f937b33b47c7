import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const WHAT_IF = /* GraphQL */ `
  query WhatIf($userId: ID!, $ignore: [ID!]) {
    plain: recommendations(userId: $userId, first: 100) { rank score item { id } }
    whatIf: recommendations(userId: $userId, first: 100, ignoreItemIds: $ignore) {
      rank
      score
      item { id }
      explanation { contributions(first: 50) { item { id } } }
    }
    user(id: $userId) {
      interactions(first: 100) { item { id } }
      recommendations(first: 100, ignoreItemIds: $ignore) { rank score item { id } }
    }
  }
`;

export function describeWhatIf(leg: StoreLeg): void {
  describe(`"what if" recommendations over HTTP (ignoreItemIds) (${leg.name} store)`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServerOn(leg);
    });
    afterAll(() => server?.close());

    it('re-ranks as if the user had never interacted with an item, on Query and User alike, writing nothing', async () => {
      const first = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: null });
      const interacted: string[] = first.data.user.interactions.map((i: any) => i.item.id);
      const ignored = interacted[0]!;
      const { data, errors } = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: [ignored] });
      expect(errors).toBeUndefined();
      expect(data.whatIf.map((r: any) => r.item.id)).not.toEqual(data.plain.map((r: any) => r.item.id));
      // Equal up to float32 rounding: `user` costs Neo4j a round trip first, so the two fields can
      // land in different model batches, and a batch's shape changes the last bits of a score.
      const ranked = (list: any[]) => list.map((r) => [r.rank, r.item.id]);
      expect(ranked(data.user.recommendations)).toEqual(ranked(data.whatIf));
      data.user.recommendations.forEach((r: any, k: number) => expect(r.score).toBeCloseTo(data.whatIf[k].score, 6));
      for (const r of data.whatIf) {
        expect(r.explanation.contributions.map((c: any) => c.item.id)).not.toContain(ignored);
      }
      // Other interactions stay excluded; the ignored item may come back.
      const recommended = new Set(data.whatIf.map((r: any) => r.item.id));
      for (const itemId of interacted.filter((id) => id !== ignored)) expect(recommended.has(itemId)).toBe(false);
      const again = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: null });
      expect(again.data).toEqual(first.data);
    });

    it('changes nothing for items the user never interacted with', async () => {
      const { data } = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: ['no-such-item'] });
      expect(data.whatIf.map((r: any) => [r.item.id, r.score])).toEqual(data.plain.map((r: any) => [r.item.id, r.score]));
    });

    it('rejects more than 50 ids, or an empty id, with BAD_USER_INPUT naming the argument', async () => {
      const tooMany = Array.from({ length: 51 }, (_, i) => `item-${i}`);
      const many = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: tooMany });
      expect(many.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ignoreItemIds' });
      expect(many.errors![0]!.message).toMatch(/at most 50/);
      const empty = await server.graphql(WHAT_IF, { userId: 'user-0001', ignore: ['item-0001', ''] });
      expect(empty.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ignoreItemIds[1]' });
    });
  });
}
