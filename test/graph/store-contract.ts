import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErasedInteractionsError,
  IdempotencyConflictError,
  itemRecord,
  UnknownItemsError,
  type GraphStore,
  type NewInteraction,
} from '../../src/graph/index.js';

/**
 * The graph-store port's contract: every adapter runs this same suite, so the API behaves the same
 * whichever store is configured.
 */
export function describeGraphStoreContract(adapter: string, openStore: () => Promise<GraphStore>): void {
  describe(`GraphStore contract: ${adapter}`, () => {
    let store: GraphStore;
    const day = (d: number) => new Date(Date.UTC(2026, 0, d));
    const view = (userId: string, itemId: string, d: number, weight = 1, id: string | null = null): NewInteraction => ({
      id,
      userId,
      itemId,
      type: 'VIEW',
      weight,
      occurredAt: day(d),
    });

    beforeEach(async () => {
      store = await openStore();
      await store.upsertItems([
        { id: 'a', title: 'Alpha', category: 'Jazz' },
        { id: 'b', title: 'Bravo', category: 'Jazz' },
        { id: 'c', title: 'Charlie', category: 'Rock' },
        { id: 'd', title: 'Delta', category: 'Rock' },
        { id: 'e', title: 'Echo', category: null },
      ]);
    });
    afterEach(() => store.close());

    it('answers a ping while reachable, and the ping changes nothing', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.isEmpty()).toBe(true);
      await store.recordInteractions([view('u1', 'a', 1)]);
      await store.ping();
      expect(await store.interactionCounts(['u1'])).toEqual([1]);
    });

    it('starts empty and is not empty after a write', async () => {
      expect(await store.isEmpty()).toBe(true);
      await store.recordInteractions([view('u1', 'a', 1)]);
      expect(await store.isEmpty()).toBe(false);
    });

    it('samples hop 1 most recent first, ties by item id, capped by the fan-out', async () => {
      await store.recordInteractions([view('u1', 'c', 3), view('u1', 'a', 5), view('u1', 'b', 5), view('u1', 'd', 1)]);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 3, hop2: 2 });
      expect(n!.items.map((i) => i.item.id)).toEqual(['a', 'b', 'c']);
      expect(n!.items[0]!.item).toEqual(itemRecord({ id: 'a', title: 'Alpha', category: 'Jazz' }));
      expect([...n!.interactedItemIds].sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('merges repeated interactions into one edge: summed weight, latest time', async () => {
      await store.recordInteractions([view('u1', 'a', 2, 1), view('u1', 'b', 3), view('u1', 'a', 9, 2.5), view('u1', 'a', 4, 1)]);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 10, hop2: 10 });
      expect(n!.items.map((i) => [i.item.id, i.weight, i.lastAt.toISOString()])).toEqual([
        ['a', 4.5, day(9).toISOString()],
        ['b', 1, day(3).toISOString()],
      ]);
    });

    it('labels each edge with the strongest type of its interactions, whatever their order', async () => {
      const did = (itemId: string, type: NewInteraction['type'], d: number): NewInteraction => ({ ...view('u1', itemId, d), type });
      await store.recordInteractions([did('a', 'PURCHASE', 1), did('a', 'VIEW', 2), did('b', 'VIEW', 3), did('c', 'CHECK_IN', 4)]);
      await store.recordInteractions([did('b', 'ADD_TO_CART', 5), did('b', 'LIKE', 6), did('c', 'CLICK', 7)]);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 10, hop2: 10 });
      expect(n!.items.map((i) => [i.item.id, i.type])).toEqual([
        ['c', 'CHECK_IN'],
        ['b', 'ADD_TO_CART'],
        ['a', 'PURCHASE'],
      ]);
    });

    it('samples hop 2 as other users of each item, most recent first, ties by user id, capped', async () => {
      await store.recordInteractions([
        view('root', 'a', 1),
        view('u3', 'a', 4),
        view('u2', 'a', 4),
        view('u1', 'a', 2),
        view('u4', 'a', 8),
        view('u4', 'b', 8),
      ]);
      const [n] = await store.neighbourhoods(['root'], { hop1: 5, hop2: 3 });
      expect(n!.items).toHaveLength(1);
      expect(n!.items[0]!.coUsers.map((c) => c.userId)).toEqual(['u4', 'u2', 'u3']);
    });

    it('lists an item’s most recent users in hop-2 order, capped, aligned with the ids, at once after a write', async () => {
      await store.recordInteractions([view('u3', 'a', 4), view('u2', 'a', 4), view('u1', 'a', 2), view('u4', 'a', 8, 2), view('u4', 'a', 9)]);
      const [a, unknown, none] = await store.itemUsers(['a', 'nope', 'b'], 3);
      expect(a!.map((u) => [u.userId, u.weight, u.lastAt.getTime()])).toEqual([
        ['u4', 3, day(9).getTime()],
        ['u2', 1, day(4).getTime()],
        ['u3', 1, day(4).getTime()],
      ]);
      expect([unknown, none]).toEqual([[], []]);
      await store.recordInteractions([view('u5', 'a', 10)]);
      expect((await store.itemUsers(['a'], 2))[0]!.map((u) => u.userId)).toEqual(['u5', 'u4']);
      expect((await store.itemUsers(['a'], 40))[0]).toHaveLength(5);
    });

    it('shows a new interaction in the very next neighbourhood read, at both hops', async () => {
      await store.recordInteractions([view('root', 'a', 1), view('u1', 'a', 2), view('u2', 'a', 3)]);
      const coUsers = async (fanouts = { hop1: 5, hop2: 2 }) =>
        (await store.neighbourhoods(['root'], fanouts))[0]!.items.map((i) => [i.item.id, i.coUsers.map((c) => [c.userId, c.weight])]);
      expect(await coUsers()).toEqual([['a', [['u2', 1], ['u1', 1]]]]);

      await store.recordInteractions([view('u3', 'a', 4)]);
      expect(await coUsers()).toEqual([['a', [['u3', 1], ['u2', 1]]]]);
      await store.recordInteractions([view('u1', 'a', 5, 2)]);
      expect(await coUsers()).toEqual([['a', [['u1', 3], ['u3', 1]]]]);
      await store.recordInteractions([view('root', 'b', 6), view('u2', 'b', 7)]);
      expect(await coUsers()).toEqual([['b', [['u2', 1]]], ['a', [['u1', 3], ['u3', 1]]]]);
      // A wider fan-out than asked before still gets every co-user.
      expect(await coUsers({ hop1: 5, hop2: 10 })).toEqual([['b', [['u2', 1]]], ['a', [['u1', 3], ['u3', 1], ['u2', 1]]]]);
    });

    it('drops a deleted user from the very next neighbourhood read', async () => {
      await store.recordInteractions([view('root', 'a', 1), view('gone', 'a', 5), view('kept', 'a', 2)]);
      const before = await store.neighbourhoods(['root'], { hop1: 5, hop2: 5 });
      expect(before[0]!.items[0]!.coUsers.map((c) => c.userId)).toEqual(['gone', 'kept']);
      await store.deleteUser('gone');
      const after = await store.neighbourhoods(['root', 'gone'], { hop1: 5, hop2: 5 });
      expect(after[0]!.items[0]!.coUsers.map((c) => c.userId)).toEqual(['kept']);
      expect(after[1]).toMatchObject({ userExists: false, items: [] });
    });

    it('shows an updated item record in the very next read', async () => {
      await store.recordInteractions([view('u1', 'a', 1)]);
      expect(await store.items(['a'])).toEqual([itemRecord({ id: 'a', title: 'Alpha', category: 'Jazz' })]);
      await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
      const remastered = { id: 'a', title: 'Alpha (remastered)', category: 'Rock', description: 'Now in stereo', tags: ['stereo'], available: false };
      await store.upsertItems([remastered]);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
      expect(n!.items[0]!.item).toEqual(remastered);
      expect(await store.items(['a'])).toEqual([remastered]);
    });

    it('returns neighbourhoods aligned with the requested ids, unknown users flagged', async () => {
      await store.recordInteractions([view('u1', 'a', 1), view('u2', 'b', 1)]);
      const result = await store.neighbourhoods(['u2', 'ghost', 'u1'], { hop1: 5, hop2: 5 });
      expect(result.map((n) => [n.userId, n.userExists, n.items.map((i) => i.item.id)])).toEqual([
        ['u2', true, ['b']],
        ['ghost', false, []],
        ['u1', true, ['a']],
      ]);
    });

    it('creates unknown users when recording and reports the stored interactions', async () => {
      const result = await store.recordInteractions([view('new-user', 'a', 1), view('new-user', 'b', 2)]);
      expect(result.recordedCount).toBe(2);
      expect(result.users).toEqual([{ id: 'new-user' }]);
      expect(result.interactions.map((i) => i.itemId)).toEqual(['a', 'b']);
      expect(await store.users(['new-user', 'nobody'])).toEqual([{ id: 'new-user' }, null]);
      expect(await store.interactionCounts(['new-user', 'nobody'])).toEqual([2, 0]);
    });

    it('rejects a batch with an unknown item and writes nothing of it', async () => {
      const attempt = store.recordInteractions([view('u1', 'a', 1), view('u1', 'zzz', 2)]);
      await expect(attempt).rejects.toBeInstanceOf(UnknownItemsError);
      await expect(attempt).rejects.toMatchObject({ itemIds: ['zzz'] });
      expect(await store.users(['u1'])).toEqual([null]);
      expect(await store.isEmpty()).toBe(true);
    });

    it('records an interaction with a known id only once', async () => {
      await store.recordInteractions([view('u1', 'a', 1, 2, 'evt-1')]);
      const retry = await store.recordInteractions([view('u1', 'a', 1, 2, 'evt-1'), view('u1', 'b', 2, 1, 'evt-2')]);
      expect(retry.recordedCount).toBe(1);
      expect(retry.interactions.map((i) => i.id)).toEqual(['evt-1', 'evt-2']);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
      expect(n!.items.find((i) => i.item.id === 'a')!.weight).toBe(2);
      expect(await store.interactionCounts(['u1'])).toEqual([2]);
    });

    it('records a key repeated within one batch once', async () => {
      const result = await store.recordInteractions([view('u1', 'a', 1, 2, 'evt-1'), view('u1', 'a', 2, 2, 'evt-1')]);
      expect(result.recordedCount).toBe(1);
      expect(result.interactions.map((i) => [i.id, i.itemId, i.weight])).toEqual([
        ['evt-1', 'a', 2],
        ['evt-1', 'a', 2],
      ]);
      expect(await store.interactionCounts(['u1'])).toEqual([1]);
    });

    it('refuses a key reused for another user, item or type, writing nothing of the batch', async () => {
      await store.recordInteractions([view('u1', 'a', 1, 1, 'evt-1')]);
      const conflicts: NewInteraction[][] = [
        [view('u2', 'c', 3, 1, 'evt-3'), view('u1', 'b', 1, 1, 'evt-1')],
        [view('u2', 'c', 3, 1, 'evt-3'), view('u2', 'a', 1, 1, 'evt-1')],
        [view('u2', 'c', 3, 1, 'evt-3'), { ...view('u1', 'a', 1, 1, 'evt-1'), type: 'PURCHASE' }],
        [view('u2', 'c', 3, 1, 'evt-3'), view('u2', 'd', 3, 1, 'evt-3')],
      ];
      for (const batch of conflicts) {
        const attempt = store.recordInteractions(batch);
        await expect(attempt).rejects.toBeInstanceOf(IdempotencyConflictError);
        await expect(attempt).rejects.toMatchObject({ key: batch[1]!.id });
      }
      expect(await store.interactionCounts(['u1', 'u2'])).toEqual([1, 0]);
    });

    it('caps hop 2 per item, so a super-node costs no more than its fan-out', async () => {
      const fans = Array.from({ length: 60 }, (_, k) => `fan-${String(k).padStart(2, '0')}`);
      await store.recordInteractions([
        view('root', 'a', 1),
        view('root', 'b', 2),
        ...fans.map((fan, k) => view(fan, 'a', 1 + (k % 7))),
        ...fans.slice(0, 30).map((fan) => view(fan, 'b', 3)),
      ]);
      const [n] = await store.neighbourhoods(['root'], { hop1: 2, hop2: 4 });
      expect(n!.items.map((i) => [i.item.id, i.coUsers.length])).toEqual([
        ['b', 4],
        ['a', 4],
      ]);
      // Most recent first (day 7 = k % 7 === 6), ties by user id.
      expect(n!.items[1]!.coUsers.map((c) => [c.userId, c.lastAt.getUTCDate()])).toEqual([
        ['fan-06', 7],
        ['fan-13', 7],
        ['fan-20', 7],
        ['fan-27', 7],
      ]);
      expect(n!.items[0]!.coUsers.map((c) => c.userId)).toEqual(['fan-00', 'fan-01', 'fan-02', 'fan-03']);
    });

    it('caps hop 1 for a user with many items and still knows every item they touched', async () => {
      await store.recordInteractions(['a', 'b', 'c', 'd', 'e'].map((item, k) => view('busy', item, 10 - k)));
      const [n] = await store.neighbourhoods(['busy'], { hop1: 2, hop2: 1 });
      expect(n!.items.map((i) => i.item.id)).toEqual(['a', 'b']);
      expect(n!.interactedItemIds.size).toBe(5);
    });

    it('answers unknown ids with nulls, zeros and empty lists, and empty requests with nothing', async () => {
      await store.recordInteractions([view('u1', 'a', 1)]);
      expect(await store.users(['ghost', 'u1'])).toEqual([null, { id: 'u1' }]);
      expect(await store.interactionCounts(['ghost'])).toEqual([0]);
      expect(await store.recentInteractions(['ghost', 'u1'], 5)).toEqual([[], [expect.objectContaining({ itemId: 'a' })]]);
      expect(await store.items(['ghost'])).toEqual([null]);
      expect(await store.deleteUser('ghost')).toEqual({ deleted: false, interactionCount: 0 });
      expect(await store.neighbourhoods([], { hop1: 5, hop2: 5 })).toEqual([]);
      expect(await store.items([])).toEqual([]);
      expect(await store.users([])).toEqual([]);
    });

    it('deletes a user with everything derived from them, leaving everyone else intact', async () => {
      await store.recordInteractions([
        view('root', 'a', 1),
        view('gone', 'a', 5, 1, 'gone-1'),
        view('gone', 'b', 6),
        view('gone', 'a', 7),
        view('kept', 'a', 2),
      ]);
      expect(await store.deleteUser('gone')).toEqual({ deleted: true, interactionCount: 3 });

      const [root, gone] = await store.neighbourhoods(['root', 'gone'], { hop1: 5, hop2: 5 });
      expect(root!.items[0]!.coUsers.map((c) => c.userId)).toEqual(['kept']);
      expect(gone).toMatchObject({ userExists: false, items: [] });
      expect(gone!.interactedItemIds.size).toBe(0);
      expect(await store.users(['gone', 'kept'])).toEqual([null, { id: 'kept' }]);
      expect(await store.interactionCounts(['gone'])).toEqual([0]);
      expect(await store.recentInteractions(['gone'], 10)).toEqual([[]]);
      expect((await store.listUsers({ first: 10 })).records).toEqual([{ id: 'kept' }, { id: 'root' }]);
      const popular = await store.popularItems({ limit: 2 });
      expect(popular.map((p) => [p.item.id, p.userCount])).toEqual([
        ['a', 2],
        ['b', 0],
      ]);
      expect(await store.deleteUser('gone')).toEqual({ deleted: false, interactionCount: 0 });
    });

    it('refuses a replayed interaction id of an erased user, recreating nothing, and records their new ids', async () => {
      await store.recordInteractions([view('gone', 'a', 1, 1, 'gone-1'), view('gone', 'b', 2, 1, 'gone-2'), view('kept', 'a', 3, 1, 'kept-1')]);
      await store.deleteUser('gone');

      const replay = store.recordInteractions([view('kept', 'c', 4, 1, 'kept-2'), view('gone', 'b', 2, 1, 'gone-2'), view('gone', 'a', 1, 1, 'gone-1')]);
      await expect(replay).rejects.toBeInstanceOf(ErasedInteractionsError);
      await expect(replay).rejects.toMatchObject({ interactionIds: ['gone-2', 'gone-1'] });
      expect(await store.users(['gone'])).toEqual([null]);
      expect(await store.interactionCounts(['kept'])).toEqual([1]);
      expect((await store.listUsers({ first: 10 })).records).toEqual([{ id: 'kept' }]);

      // A retry of an id still recorded stays a no-op; the erased user may come back with new ids.
      expect((await store.recordInteractions([view('kept', 'a', 3, 1, 'kept-1')])).recordedCount).toBe(0);
      const comeback = await store.recordInteractions([view('gone', 'c', 9, 1, 'gone-3'), view('gone', 'd', 9)]);
      expect(comeback.recordedCount).toBe(2);
      expect(await store.interactionCounts(['gone'])).toEqual([2]);
      // Erased twice: both generations of ids stay refused.
      await store.deleteUser('gone');
      for (const id of ['gone-1', 'gone-3']) {
        await expect(store.recordInteractions([view('gone', 'e', 10, 1, id)])).rejects.toMatchObject({ interactionIds: [id] });
      }
      expect(await store.users(['gone'])).toEqual([null]);
    });

    it('never lets a replay racing the erasure of its user recreate them', async () => {
      const racers = Array.from({ length: 8 }, (_, n) => `racer-${n}`);
      await store.recordInteractions(racers.map((userId, n) => view(userId, 'a', n + 1, 1, `${userId}-1`)));
      // Each replay runs beside the erasure: before it (a no-op retry) or after it (refused), never between.
      const outcomes = await Promise.allSettled(
        racers.flatMap((userId, n) => [store.deleteUser(userId), store.recordInteractions([view(userId, 'a', n + 1, 1, `${userId}-1`)])]),
      );
      for (const [k, outcome] of outcomes.entries()) {
        if (k % 2 === 0) expect(outcome.status).toBe('fulfilled');
        else if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ErasedInteractionsError);
        else expect((outcome.value as { recordedCount: number }).recordedCount).toBe(0);
      }
      expect(await store.users(racers)).toEqual(racers.map(() => null));
    });

    it('is empty again once its only user is deleted', async () => {
      await store.recordInteractions([view('u1', 'a', 1)]);
      await store.deleteUser('u1');
      expect(await store.isEmpty()).toBe(true);
    });

    it('lists recent interactions newest first', async () => {
      await store.recordInteractions([view('u1', 'a', 1), view('u1', 'b', 3), view('u1', 'c', 2)]);
      const [recent] = await store.recentInteractions(['u1'], 2);
      expect(recent!.map((i) => i.itemId)).toEqual(['b', 'c']);
      expect(recent![0]!.occurredAt.toISOString()).toBe(day(3).toISOString());
    });

    it('lists interactions at the same instant in reverse recording order', async () => {
      await store.recordInteractions([view('u1', 'a', 4), view('u1', 'b', 4)]);
      await store.recordInteractions([view('u1', 'c', 4)]);
      const [recent] = await store.recentInteractions(['u1'], 3);
      expect(recent!.map((i) => i.itemId)).toEqual(['c', 'b', 'a']);
    });

    it('looks up items aligned with ids, null for unknown ones', async () => {
      expect(await store.items(['c', 'nope', 'a'])).toEqual([
        itemRecord({ id: 'c', title: 'Charlie', category: 'Rock' }),
        null,
        itemRecord({ id: 'a', title: 'Alpha', category: 'Jazz' }),
      ]);
    });

    it('pages users and items by id, with a category filter', async () => {
      await store.recordInteractions([view('u3', 'a', 1), view('u1', 'a', 1), view('u2', 'a', 1)]);
      const first = await store.listUsers({ first: 2 });
      expect(first).toEqual({ records: [{ id: 'u1' }, { id: 'u2' }], hasNextPage: true });
      expect(await store.listUsers({ first: 2, afterId: 'u2' })).toEqual({ records: [{ id: 'u3' }], hasNextPage: false });
      const rock = await store.listItems({ first: 10, category: 'Rock' });
      expect(rock.records.map((i) => i.id)).toEqual(['c', 'd']);
      expect((await store.listItems({ first: 2, afterId: 'b' })).records.map((i) => i.id)).toEqual(['c', 'd']);
    });

    it('orders non-ASCII ids by code point everywhere ids break ties or page', async () => {
      // By code point: z < é < 中 < ｚ (U+FF5A) < 𝓏 (U+1D4CF); by UTF-16 code unit the last two swap.
      const ids = ['z', 'é', '中', 'ｚ', '𝓏'];
      const shuffled = [ids[3]!, ids[0]!, ids[4]!, ids[2]!, ids[1]!];
      await store.upsertItems(shuffled.map((id) => ({ id: `item-${id}`, title: id, category: 'Unicode' })));
      await store.recordInteractions([
        view('root', 'a', 1),
        ...shuffled.map((id) => view(`user-${id}`, 'a', 2)),
        ...shuffled.map((id) => view('root', `item-${id}`, 3)),
      ]);

      const users = ids.map((id) => `user-${id}`);
      expect((await store.listUsers({ first: 10, afterId: 'root' })).records.map((u) => u.id)).toEqual(users);
      expect((await store.listUsers({ first: 2, afterId: 'user-中' })).records.map((u) => u.id)).toEqual(['user-ｚ', 'user-𝓏']);
      const items = ids.map((id) => `item-${id}`);
      expect((await store.listItems({ first: 10, category: 'Unicode' })).records.map((i) => i.id)).toEqual(items);
      expect((await store.listItems({ first: 1, afterId: 'item-ｚ' })).records.map((i) => i.id)).toEqual(['item-𝓏']);
      const popular = await store.popularItems({ limit: 5, includeCategories: ['Unicode'] });
      expect(popular.map((p) => p.item.id)).toEqual(items);
      const [n] = await store.neighbourhoods(['root'], { hop1: 10, hop2: 10 });
      expect(n!.items.map((i) => i.item.id)).toEqual([...items, 'a']);
      expect(n!.items.at(-1)!.coUsers.map((c) => c.userId)).toEqual(users);
    });

    it('lists the distinct categories of the catalogue, sorted', async () => {
      expect(await store.categories()).toEqual(['Jazz', 'Rock']);
    });

    it('ranks popular items by distinct users, honouring filters', async () => {
      await store.recordInteractions([
        view('u1', 'c', 1),
        view('u2', 'c', 1),
        view('u3', 'c', 1),
        view('u1', 'a', 1),
        view('u1', 'a', 2),
        view('u2', 'a', 1),
        view('u1', 'd', 1),
      ]);
      const all = await store.popularItems({ limit: 3 });
      expect(all.map((p) => [p.item.id, p.userCount])).toEqual([
        ['c', 3],
        ['a', 2],
        ['d', 1],
      ]);
      const filtered = await store.popularItems({ limit: 5, excludeCategories: ['Rock'], excludeItemIds: new Set(['b']) });
      expect(filtered.map((p) => p.item.id)).toEqual(['a', 'e']);
      const jazz = await store.popularItems({ limit: 5, includeCategories: ['Jazz'] });
      expect(jazz.map((p) => p.item.id)).toEqual(['a', 'b']);
    });

    it('creates a new user once when concurrent writes introduce them, and counts every interaction', async () => {
      const newcomers = Array.from({ length: 10 }, (_, n) => `newcomer-${n}`);
      const writes = newcomers.flatMap((userId, n) => ['a', 'b', 'c', 'd'].map((itemId) => store.recordInteractions([view(userId, itemId, n + 1)])));
      const results = await Promise.allSettled(writes);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await store.interactionCounts(newcomers)).toEqual(newcomers.map(() => 4));
      const listed = (await store.listUsers({ first: 100 })).records.map((u) => u.id);
      expect(listed.filter((id) => id.startsWith('newcomer-'))).toEqual(newcomers);
      const popular = await store.popularItems({ limit: 5 });
      expect(popular.filter((p) => ['a', 'b', 'c', 'd'].includes(p.item.id)).map((p) => p.userCount)).toEqual([10, 10, 10, 10]);
    });

    it('creates a new item once when concurrent upserts introduce it', async () => {
      const fresh = Array.from({ length: 10 }, (_, n) => ({ id: `new-item-${n}`, title: `New ${n}`, category: 'Pop' }));
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => store.upsertItems(fresh)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const listed = (await store.listItems({ first: 100, category: 'Pop' })).records;
      expect(listed).toEqual(fresh.map(itemRecord));
      // Only the first of the four created anything; the others found the items as they are.
      expect(await store.catalogueRevision()).toBe(5 + fresh.length);
    });

    it('stores whole item records, and an upsert that omits a field clears it', async () => {
      const full = { id: 'a', title: 'Alpha', category: 'Jazz', description: 'Hard bop,\nrecorded live', tags: ['sax', 'live', 'été'], available: false };
      const written = await store.upsertItems([full, { id: 'f', title: 'Foxtrot' }]);
      expect(written).toEqual({ items: [full, itemRecord({ id: 'f', title: 'Foxtrot' })], createdCount: 1, updatedCount: 1 });
      expect(await store.items(['a'])).toEqual([full]);
      expect((await store.listItems({ first: 1 })).records).toEqual([full]);

      const bare = await store.upsertItems([{ id: 'a', title: 'Alpha' }]);
      expect(bare.items).toEqual([{ id: 'a', title: 'Alpha', category: null, description: null, tags: [], available: true }]);
      expect(await store.items(['a'])).toEqual(bare.items);
      expect(await store.categories()).toEqual(['Jazz', 'Rock']);
    });

    it('upserts idempotently: the same call twice leaves the same state and revision', async () => {
      const batch = [
        { id: 'b', title: 'Bravo', category: 'Jazz', tags: ['x'] },
        { id: 'c', title: 'Charlie', category: 'Rock' },
        { id: 'g', title: 'Golf', description: 'New' },
      ];
      const first = await store.upsertItems(batch);
      expect([first.createdCount, first.updatedCount]).toEqual([1, 1]);
      const revision = await store.catalogueRevision();
      const again = await store.upsertItems(batch);
      expect(again).toEqual({ items: first.items, createdCount: 0, updatedCount: 0 });
      expect(await store.catalogueRevision()).toBe(revision);
      expect((await store.itemsChangedSince(revision, 10)).items).toEqual([]);
      expect(await store.items(['b', 'c', 'g'])).toEqual(first.items);
    });

    it('stamps each created or changed item with the next catalogue revision, and follows changes page by page', async () => {
      // The five items of beforeEach took revisions 1..5, in input order.
      expect(await store.catalogueRevision()).toBe(5);
      expect((await store.itemsChangedSince(0, 100)).items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
      await store.upsertItems([
        { id: 'd', title: 'Delta', category: 'Rock', available: false },
        { id: 'a', title: 'Alpha', category: 'Jazz' },
        { id: 'f', title: 'Foxtrot' },
      ]);
      expect(await store.catalogueRevision()).toBe(7);
      expect(await store.itemsChangedSince(5, 10)).toEqual({
        items: [itemRecord({ id: 'd', title: 'Delta', category: 'Rock', available: false }), itemRecord({ id: 'f', title: 'Foxtrot' })],
        revision: 7,
      });
      expect(await store.itemsChangedSince(5, 1)).toMatchObject({ items: [{ id: 'd' }], revision: 6 });
      expect(await store.itemsChangedSince(6, 1)).toMatchObject({ items: [{ id: 'f' }], revision: 7 });
      expect(await store.itemsChangedSince(7, 1)).toEqual({ items: [], revision: 7 });
      expect((await store.itemsChangedSince(0, 100)).items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'e', 'd', 'f']);
    });

    it('numbers concurrent upserts without gaps or repeats, so a follower misses none of them', async () => {
      const writers = Array.from({ length: 8 }, (_, w) => [0, 1, 2].map((k) => ({ id: `w${w}-${k}`, title: `Writer ${w} item ${k}` })));
      const results = await Promise.allSettled(writers.map((batch) => store.upsertItems(batch)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await store.catalogueRevision()).toBe(5 + 24);
      const followed: string[] = [];
      let revision = 5;
      for (;;) {
        const page = await store.itemsChangedSince(revision, 5);
        if (page.items.length === 0) break;
        expect(page.revision).toBeGreaterThan(revision);
        followed.push(...page.items.map((i) => i.id));
        revision = page.revision;
      }
      expect(revision).toBe(29);
      expect([...followed].sort()).toEqual(writers.flat().map((i) => i.id).sort());
      // Each call's items are consecutive: calls ran one at a time.
      for (const batch of writers) {
        const at = followed.indexOf(batch[0]!.id);
        expect(followed.slice(at, at + 3)).toEqual(batch.map((i) => i.id));
      }
    });

    it('refuses an upsert that names an id twice, writing nothing', async () => {
      await expect(store.upsertItems([{ id: 'f', title: 'Foxtrot' }, { id: 'f', title: 'Foxtrot again' }])).rejects.toThrow(/f appears more than once/);
      expect(await store.items(['f'])).toEqual([null]);
      expect(await store.catalogueRevision()).toBe(5);
    });

    it('never ranks an unavailable item among popular ones, yet lists it and keeps it in histories', async () => {
      await store.recordInteractions([view('u1', 'c', 1), view('u2', 'c', 1), view('u1', 'a', 2)]);
      await store.upsertItems([{ id: 'c', title: 'Charlie', category: 'Rock', available: false }]);
      expect((await store.popularItems({ limit: 5 })).map((p) => p.item.id)).toEqual(['a', 'b', 'd', 'e']);
      expect((await store.popularItems({ limit: 5, includeCategories: ['Rock'] })).map((p) => p.item.id)).toEqual(['d']);
      expect((await store.listItems({ first: 10, category: 'Rock' })).records.map((i) => [i.id, i.available])).toEqual([
        ['c', false],
        ['d', true],
      ]);
      const [n] = await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
      expect(n!.items.map((i) => [i.item.id, i.item.available])).toEqual([
        ['a', true],
        ['c', false],
      ]);
      await store.upsertItems([{ id: 'c', title: 'Charlie', category: 'Rock' }]);
      expect((await store.popularItems({ limit: 2 })).map((p) => [p.item.id, p.userCount])).toEqual([
        ['c', 2],
        ['a', 1],
      ]);
    });

    it('keeps hop 2 of a popular item exact through out-of-order writes, repeats and erasures', async () => {
      // 60 users of item a, written in shuffled batches with their latest time not always last.
      const users = Array.from({ length: 60 }, (_, n) => `fan-${String(n).padStart(2, '0')}`);
      const writes = users.flatMap((userId, n) => [view(userId, 'a', 1 + ((n * 37) % 60)), view(userId, 'a', 1 + ((n * 11) % 7))]);
      for (let k = 0; k < writes.length; k += 25) await store.recordInteractions(writes.slice(k, k + 25).reverse());
      await store.recordInteractions([view('root', 'a', 1), view('fan-03', 'a', 90), view('fan-04', 'a', 90)]);
      const latest = (userId: string) => Math.max(...writes.filter((w) => w.userId === userId).map((w) => w.occurredAt.getTime()));
      const erased = ['fan-03', 'fan-05', 'fan-06'];
      for (const id of erased) await store.deleteUser(id);
      const expected = users
        .filter((id) => !erased.includes(id))
        .map((id) => ({ id, at: id === 'fan-04' ? day(90).getTime() : latest(id) }))
        .sort((x, y) => y.at - x.at || (x.id < y.id ? -1 : 1))
        .map((x) => x.id);
      for (const hop2 of [10, 31, 45]) {
        const [n] = await store.neighbourhoods(['root'], { hop1: 5, hop2 });
        expect(n!.items[0]!.coUsers.map((c) => c.userId), `hop2 ${hop2}`).toEqual(expected.slice(0, hop2));
      }
    });
  });
}
