import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls } from '../support/call-recorder.js';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`);

/** What a router sends to resolve entities recograph owns fields of. */
const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { id recommendations(first: 3) { item { id title } explanation { kind summary } } }
    ... on Item { id title category }
  }
}`;

export function describeEntityReferences(leg: StoreLeg): void {
  describe(`federation: entity references resolve in batches (${leg.name} store)`, () => {
    const { calls, decorators } = recordCalls();
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServerOn(leg, decorators);
    });
    afterAll(() => server?.close());
    // The previous test's impressions are written by a timer; write them now so they land outside the count.
    beforeEach(async () => {
      await server.app.flushImpressions();
      calls.clear();
    });

    it('resolves 100 user references with one store call and one model run', async () => {
      const users = ids('user', 100);
      const { data, errors } = await server.graphql(ENTITIES, {
        representations: users.map((id) => ({ __typename: 'User', id })),
      });
      expect(errors).toBeUndefined();
      expect(data._entities.map((u: any) => u.id)).toEqual(users);
      data._entities.forEach((u: any) => expect(u.recommendations).toHaveLength(3));
      expect(calls.store.neighbourhoods).toEqual([users]);
      expect(calls.modelRuns).toEqual([100]);
      // The recommended items' titles come from one batched item lookup too.
      expect(calls.store.items).toHaveLength(1);
      expect(calls.store.users).toBeUndefined();
    });

    it('loads a field of 100 referenced users with one store call', async () => {
      const users = ids('user', 100);
      const { data, errors } = await server.graphql(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { interactionCount } } }`,
        { representations: users.map((id) => ({ __typename: 'User', id })) },
      );
      expect(errors).toBeUndefined();
      data._entities.forEach((u: any) => expect(u.interactionCount).toBeGreaterThan(0));
      expect(calls.store).toEqual({ interactionCounts: [users] });
      expect(calls.modelRuns).toEqual([]);
    });

    it('resolves 100 item references with one store call', async () => {
      const items = ids('item', 100);
      const { data, errors } = await server.graphql(ENTITIES, {
        representations: items.map((id) => ({ __typename: 'Item', id })),
      });
      expect(errors).toBeUndefined();
      expect(data._entities.map((i: any) => i.id)).toEqual(items);
      data._entities.forEach((i: any) => expect(i.title).toEqual(expect.any(String)));
      expect(calls.store.items).toEqual([items]);
      expect(calls.modelRuns).toEqual([]);
    });

    it('gives a user only another subgraph knows the popularity fallback, and an unknown item null', async () => {
      const { data, errors } = await server.graphql(ENTITIES, {
        representations: [
          { __typename: 'User', id: 'signed-up-yesterday' },
          { __typename: 'Item', id: 'no-such-item' },
        ],
      });
      expect(errors).toBeUndefined();
      expect(data._entities[0].recommendations.map((r: any) => r.explanation.kind)).toEqual(Array(3).fill('POPULARITY_FALLBACK'));
      expect(data._entities[1]).toBeNull();
      expect(calls.modelRuns).toEqual([]);
    });

    it('rejects a malformed reference with BAD_USER_INPUT', async () => {
      const { errors } = await server.graphql(ENTITIES, { representations: [{ __typename: 'User', id: '' }] });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('publishes its subgraph SDL with both entities keyed by id', async () => {
      const { data } = await server.graphql('{ _service { sdl } }');
      expect(data._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])');
      expect(data._service.sdl).toMatch(/type User\s+@key\(fields: "id"\)/);
      expect(data._service.sdl).toMatch(/type Item\s+@key\(fields: "id"\)/);
    });
  });
}
