import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError, type GraphStore, type InteractionRecord, type NewInteraction } from '../../src/graph/index.js';

/** Reads the whole event log through `interactionsPage`, `first` at a time. */
async function readAll(store: GraphStore, first: number): Promise<InteractionRecord[]> {
  const all: InteractionRecord[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await store.interactionsPage({ first, after });
    all.push(...page.records);
    if (!page.hasNextPage) return all;
    after = page.endCursor;
  }
}

/**
 * `GraphStore.interactionsPage`'s contract, beside `store-contract.ts` (so branches adding to
 * either merge apart): every adapter runs it.
 */
export function describeInteractionsPageContract(adapter: string, openStore: () => Promise<GraphStore>): void {
  describe(`GraphStore interactionsPage contract: ${adapter}`, () => {
    let store: GraphStore;
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute, 0, 123));
    const event = (userId: string, itemId: string, minute: number, type: NewInteraction['type'] = 'VIEW', weight = 1, id: string | null = null): NewInteraction => ({
      id,
      userId,
      itemId,
      type,
      weight,
      occurredAt: at(minute),
    });

    beforeEach(async () => {
      store = await openStore();
      await store.upsertItems([
        { id: 'a', title: 'Alpha', category: 'Jazz' },
        { id: 'b', title: 'Bravo', category: null },
      ]);
    });
    afterEach(() => store.close());

    it('answers an empty store with an empty last page', async () => {
      expect(await store.interactionsPage({ first: 10 })).toEqual({ records: [], endCursor: null, hasNextPage: false });
    });

    it('streams every interaction once, in recording order, whatever the page size, with its own time, type and weight', async () => {
      // Recorded out of time order: the order is the recording order, the times are kept as given.
      await store.recordInteractions([event('u2', 'b', 9, 'PURCHASE', 5, 'k1'), event('u1', 'a', 1), event('u1', 'a', 3, 'LIKE', 2)]);
      await store.recordInteractions([event('u3', 'a', 2, 'CLICK', 0.5)]);
      const expected = [
        { id: 'k1', userId: 'u2', itemId: 'b', type: 'PURCHASE', weight: 5, occurredAt: at(9), recommendationId: null },
        { id: null, userId: 'u1', itemId: 'a', type: 'VIEW', weight: 1, occurredAt: at(1), recommendationId: null },
        { id: null, userId: 'u1', itemId: 'a', type: 'LIKE', weight: 2, occurredAt: at(3), recommendationId: null },
        { id: null, userId: 'u3', itemId: 'a', type: 'CLICK', weight: 0.5, occurredAt: at(2), recommendationId: null },
      ];
      for (const first of [1, 2, 3, 4, 100]) expect(await readAll(store, first)).toEqual(expected);
    });

    it('resumes after its cursor: interactions recorded meanwhile come after it, erased ones drop out', async () => {
      await store.recordInteractions([event('u1', 'a', 1), event('u2', 'a', 2), event('u3', 'b', 3)]);
      const first = await store.interactionsPage({ first: 2 });
      expect(first.records.map((r) => r.userId)).toEqual(['u1', 'u2']);
      expect(first.hasNextPage).toBe(true);
      await store.recordInteractions([event('u4', 'b', 0)]);
      await store.deleteUser('u3');
      const rest = await store.interactionsPage({ first: 10, after: first.endCursor });
      expect(rest.records.map((r) => r.userId)).toEqual(['u4']);
      expect(rest.hasNextPage).toBe(false);
      // Past the end, the cursor stays where it is, so a follower can poll with it.
      const none = await store.interactionsPage({ first: 10, after: rest.endCursor });
      expect(none).toEqual({ records: [], endCursor: rest.endCursor, hasNextPage: false });
      await store.recordInteractions([event('u5', 'a', 4)]);
      expect((await store.interactionsPage({ first: 10, after: none.endCursor })).records.map((r) => r.userId)).toEqual(['u5']);
    });

    it('refuses a cursor it did not issue', async () => {
      for (const after of ['', 'not-a-cursor', Buffer.from('seq:-1').toString('base64url'), Buffer.from('seq:1.5').toString('base64url')]) {
        await expect(store.interactionsPage({ first: 1, after })).rejects.toBeInstanceOf(InvalidCursorError);
      }
    });
  });
}
