import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  ErasedInteractionsError,
  GraphStoreUnavailableError,
  itemRecord,
  SqliteGraphStore,
  type GraphStore,
  type NewInteraction,
} from '../../src/graph/index.js';
import { writeProtect } from '../support/write-protect.js';
import { describeFeedbackContract } from './feedback-contract.js';
import { describeInteractionsPageContract } from './interactions-page-contract.js';
import { describeGraphStoreContract } from './store-contract.js';
import { describeWriteRevisionContract } from './write-revision-contract.js';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'recograph-store-')), 'store.sqlite');

describeGraphStoreContract('embedded (SQLite)', async () => new SqliteGraphStore(freshPath()));
describeGraphStoreContract('embedded (SQLite), cache of one item and one user', async () =>
  new SqliteGraphStore(freshPath(), { cacheItems: 1, cacheUsers: 1 }));
describeGraphStoreContract('embedded (SQLite), items cached, no users', async () => new SqliteGraphStore(freshPath(), { cacheItems: 1, cacheUsers: 0 }));
describeGraphStoreContract('embedded (SQLite), users cached, no items', async () => new SqliteGraphStore(freshPath(), { cacheItems: 0, cacheUsers: 1 }));
describeGraphStoreContract('embedded (SQLite), no cache', async () => new SqliteGraphStore(freshPath(), { cacheItems: 0, cacheUsers: 0 }));
describeInteractionsPageContract('embedded (SQLite)', async () => new SqliteGraphStore(freshPath()));
describeFeedbackContract('embedded (SQLite)', async () => new SqliteGraphStore(freshPath()));
describeWriteRevisionContract('embedded (SQLite), two connections to one file', async () => {
  const path = freshPath();
  return [new SqliteGraphStore(path), new SqliteGraphStore(path)];
});

describe('embedded store cache', () => {
  const like = (userId: string, itemId: string, day: number): NewInteraction => ({
    userId,
    itemId,
    type: 'LIKE',
    weight: 1,
    occurredAt: new Date(Date.UTC(2026, 0, day)),
  });
  const coUsersOfRoot = async (store: GraphStore) =>
    (await store.neighbourhoods(['root'], { hop1: 5, hop2: 3 }))[0]!.items.map((i) => [i.item.id, i.item.title, i.coUsers.map((c) => c.userId)]);

  async function seeded(path: string): Promise<SqliteGraphStore> {
    const store = new SqliteGraphStore(path);
    await store.upsertItems([
      { id: 'a', title: 'Alpha', category: null },
      { id: 'b', title: 'Bravo', category: null },
    ]);
    await store.recordInteractions([like('root', 'a', 1), like('u1', 'a', 2), like('u2', 'a', 3), like('u1', 'b', 4)]);
    return store;
  }

  it('sees what another store on the same file wrote, in the very next read', async () => {
    const path = freshPath();
    const store = await seeded(path);
    expect(await coUsersOfRoot(store)).toEqual([['a', 'Alpha', ['u2', 'u1']]]);

    const other = new SqliteGraphStore(path);
    await other.recordInteractions([like('u3', 'a', 5), like('root', 'b', 6)]);
    expect(await coUsersOfRoot(store)).toEqual([
      ['b', 'Bravo', ['u1']],
      ['a', 'Alpha', ['u3', 'u2', 'u1']],
    ]);
    await other.deleteUser('u1');
    await other.upsertItems([{ id: 'b', title: 'Bravo II', category: null }]);
    expect(await coUsersOfRoot(store)).toEqual([
      ['b', 'Bravo II', []],
      ['a', 'Alpha', ['u3', 'u2']],
    ]);
    expect(await store.items(['b'])).toEqual([itemRecord({ id: 'b', title: 'Bravo II' })]);
    await other.close();
    await store.close();
  });

  it("forgets a user's hop 1 when they write or are deleted", async () => {
    const store = await seeded(freshPath());
    const hop1 = async (userId: string) => {
      const [n] = await store.neighbourhoods([userId], { hop1: 5, hop2: 3 });
      return { exists: n!.userExists, items: n!.items.map((i) => i.item.id), interacted: [...n!.interactedItemIds].sort() };
    };
    expect(await hop1('u1')).toEqual({ exists: true, items: ['b', 'a'], interacted: ['a', 'b'] });
    expect(await hop1('new')).toEqual({ exists: false, items: [], interacted: [] });
    await store.recordInteractions([like('new', 'a', 9), like('u1', 'a', 10)]);
    expect(await hop1('new')).toEqual({ exists: true, items: ['a'], interacted: ['a'] });
    expect(await hop1('u1')).toEqual({ exists: true, items: ['a', 'b'], interacted: ['a', 'b'] });
    await store.deleteUser('u1');
    expect(await hop1('u1')).toEqual({ exists: false, items: [], interacted: [] });
    await store.close();
  });

  it('sees rows another process changed in the file directly', async () => {
    const path = freshPath();
    const store = await seeded(path);
    expect(await coUsersOfRoot(store)).toEqual([['a', 'Alpha', ['u2', 'u1']]]);
    expect(await store.items(['a'])).toEqual([itemRecord({ id: 'a', title: 'Alpha' })]);
    const hop1OfU1 = async () => (await store.neighbourhoods(['u1'], { hop1: 5, hop2: 3 }))[0]!.items.map((i) => i.item.id);
    expect(await hop1OfU1()).toEqual(['b', 'a']);

    const db = new Database(path);
    db.prepare("DELETE FROM edges WHERE user_id = 'u2'").run();
    db.prepare("DELETE FROM edges WHERE user_id = 'u1' AND item_id = 'b'").run();
    db.prepare("UPDATE items SET title = 'Alpha I' WHERE id = 'a'").run();
    db.close();
    expect(await store.items(['a'])).toEqual([itemRecord({ id: 'a', title: 'Alpha I' })]);
    expect(await coUsersOfRoot(store)).toEqual([['a', 'Alpha I', ['u1']]]);
    expect(await hop1OfU1()).toEqual(['a']);
    await store.close();
  });

  it('answers exactly as an uncached store over many interleaved writes and reads', async () => {
    const path = freshPath();
    const cached = new SqliteGraphStore(path, { cacheItems: 3, cacheUsers: 3 });
    const uncached = new SqliteGraphStore(path, { cacheItems: 0, cacheUsers: 0 });
    const items = Array.from({ length: 6 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, category: null }));
    await cached.upsertItems(items);
    const users = Array.from({ length: 8 }, (_, u) => `u${u}`);
    let state = 7;
    const next = (n: number) => (state = (state * 1103515245 + 12345) % 2147483648) % n;
    for (let step = 0; step < 200; step++) {
      const writer = next(2) === 0 ? cached : uncached;
      if (next(10) === 0) await writer.deleteUser(users[next(users.length)]!);
      else await writer.recordInteractions([like(users[next(users.length)]!, items[next(items.length)]!.id, next(30))]);
      const fanouts = { hop1: 1 + next(4), hop2: 1 + next(4) };
      expect(await cached.neighbourhoods(users, fanouts)).toEqual(await uncached.neighbourhoods(users, fanouts));
    }
    await cached.close();
    await uncached.close();
  });
});

/** The items table and its neighbours as files written before item descriptions, tags, availability and revisions held them. */
const ITEMS_BEFORE_REVISIONS = `
CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT, user_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX items_by_category ON items (category, id);
CREATE INDEX items_by_popularity ON items (user_count DESC, id);
CREATE TABLE users (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, interaction_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE edges (
  user_id TEXT NOT NULL REFERENCES users (id), item_id TEXT NOT NULL REFERENCES items (id), weight REAL NOT NULL,
  last_at INTEGER NOT NULL, interaction_count INTEGER NOT NULL, PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE TABLE interactions (
  seq INTEGER PRIMARY KEY, key TEXT UNIQUE, user_id TEXT NOT NULL REFERENCES users (id), item_id TEXT NOT NULL REFERENCES items (id),
  type TEXT NOT NULL, weight REAL NOT NULL, occurred_at INTEGER NOT NULL
);
INSERT INTO items VALUES ('b', 'Bravo', 'Jazz', 1), ('a', 'Alpha', NULL, 0), ('c', 'Charlie', 'Rock', 0);
INSERT INTO users VALUES ('u1', 0, 1);
INSERT INTO interactions (user_id, item_id, type, weight, occurred_at) VALUES ('u1', 'b', 'LIKE', 1, 0);
INSERT INTO edges VALUES ('u1', 'b', 1, 0, 1);
`;

describe('embedded store migration', () => {
  it('opens a file of the schema before item revisions: old items become available, without description or tags, revised in id order', async () => {
    const path = freshPath();
    const old = new Database(path);
    old.exec(ITEMS_BEFORE_REVISIONS);
    old.close();

    const store = new SqliteGraphStore(path);
    expect(await store.items(['a', 'b', 'c'])).toEqual([
      itemRecord({ id: 'a', title: 'Alpha' }),
      itemRecord({ id: 'b', title: 'Bravo', category: 'Jazz' }),
      itemRecord({ id: 'c', title: 'Charlie', category: 'Rock' }),
    ]);
    expect(await store.catalogueRevision()).toBe(3);
    expect((await store.itemsChangedSince(0, 10)).items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect((await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 }))[0]!.items.map((i) => [i.item.id, i.type])).toEqual([['b', 'LIKE']]);
    expect((await store.popularItems({ limit: 3 })).map((p) => [p.item.id, p.userCount])).toEqual([
      ['b', 1],
      ['a', 0],
      ['c', 0],
    ]);
    const written = await store.upsertItems([{ id: 'a', title: 'Alpha', available: false }, { id: 'd', title: 'Delta' }]);
    expect([written.createdCount, written.updatedCount]).toEqual([1, 1]);
    expect(await store.itemsChangedSince(3, 10)).toMatchObject({ items: [{ id: 'a', available: false }, { id: 'd' }], revision: 5 });
    await store.close();

    // Migrated once: reopening changes nothing.
    const reopened = new SqliteGraphStore(path);
    expect(await reopened.catalogueRevision()).toBe(5);
    expect(await reopened.items(['a'])).toEqual([itemRecord({ id: 'a', title: 'Alpha', available: false })]);
    await reopened.close();
  });
});

describe('embedded store durability', () => {
  it('keeps what it acknowledged across a close and reopen', async () => {
    const path = freshPath();
    const store = new SqliteGraphStore(path);
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    await store.recordInteractions([{ userId: 'u1', itemId: 'a', type: 'LIKE', weight: 2, occurredAt: new Date(0) }]);
    await store.close();
    const reopened = new SqliteGraphStore(path);
    expect(await reopened.interactionCounts(['u1'])).toEqual([1]);
    await reopened.close();
  });

  it('moves a store file from before the covering sampling indexes onto them when opened', async () => {
    const path = freshPath();
    const store = new SqliteGraphStore(path);
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    await store.recordInteractions([
      { userId: 'u1', itemId: 'a', type: 'LIKE', weight: 2, occurredAt: new Date(0) },
      { userId: 'u2', itemId: 'a', type: 'LIKE', weight: 1, occurredAt: new Date(1) },
    ]);
    await store.close();
    const db = new Database(path);
    db.exec(`DROP INDEX edges_by_user_recent_typed; DROP INDEX edges_by_item_recent_covering;
      CREATE INDEX edges_by_user_recent ON edges (user_id, last_at DESC, item_id);
      CREATE INDEX edges_by_item_recent ON edges (item_id, last_at DESC, user_id);`);
    db.close();

    const reopened = new SqliteGraphStore(path);
    const [n] = await reopened.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
    expect(n!.items.map((i) => [i.item.id, i.weight, i.coUsers.map((c) => c.userId)])).toEqual([['a', 2, ['u2']]]);
    await reopened.close();
    const check = new Database(path, { readonly: true });
    const indexes = check.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'edges' ORDER BY name").pluck().all();
    check.close();
    expect(indexes).toEqual(['edges_by_item_recent_covering', 'edges_by_user_recent_typed']);
  });

  it('gives edges of a store file from before they carried a type their strongest interaction type when opened', async () => {
    const path = freshPath();
    const store = new SqliteGraphStore(path);
    await store.upsertItems([
      { id: 'a', title: 'Alpha', category: null },
      { id: 'b', title: 'Bravo', category: null },
    ]);
    await store.recordInteractions([
      { userId: 'u1', itemId: 'a', type: 'VIEW', weight: 1, occurredAt: new Date(0) },
      { userId: 'u1', itemId: 'a', type: 'PURCHASE', weight: 3, occurredAt: new Date(1) },
      { userId: 'u1', itemId: 'a', type: 'CLICK', weight: 1, occurredAt: new Date(2) },
      { userId: 'u1', itemId: 'b', type: 'LIKE', weight: 2, occurredAt: new Date(3) },
    ]);
    await store.close();
    const db = new Database(path);
    // The schema before: no type column, hop 1's index without it.
    db.exec(`DROP INDEX edges_by_user_recent_typed; ALTER TABLE edges DROP COLUMN type;
      CREATE INDEX edges_by_user_recent_covering ON edges (user_id, last_at DESC, item_id, weight);`);
    db.close();

    const reopened = new SqliteGraphStore(path);
    const [n] = await reopened.neighbourhoods(['u1'], { hop1: 5, hop2: 5 });
    expect(n!.items.map((i) => [i.item.id, i.type])).toEqual([
      ['b', 'LIKE'],
      ['a', 'PURCHASE'],
    ]);
    await reopened.recordInteractions([{ userId: 'u1', itemId: 'b', type: 'ADD_TO_CART', weight: 2, occurredAt: new Date(4) }]);
    expect((await reopened.neighbourhoods(['u1'], { hop1: 5, hop2: 5 }))[0]!.items.map((i) => i.type)).toEqual(['ADD_TO_CART', 'PURCHASE']);
    await reopened.close();
  });
});

describe('embedded store erasure', () => {
  const secret = 'a-test-erasure-secret-of-32-chars-or-more';
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));

  /** Every file SQLite keeps for the store: the database, and its write-ahead log while one exists. */
  const storeBytes = (path: string) => Buffer.concat([path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file)));

  it('leaves no copy of an erased user id or interaction id in the store files, only keyed hashes', async () => {
    const path = freshPath();
    const store = new SqliteGraphStore(path, { cacheItems: 0, cacheUsers: 0 }, secret);
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `item-${i}`, title: `Item ${i}`, category: null }));
    await store.upsertItems(items);
    const users = Array.from({ length: 30 }, (_, u) => `user-${u}`);
    // The erased user shares every page with others: their rows sit beside rows that stay.
    for (const [u, userId] of ['erased-7f3a9c', ...users].entries()) {
      await store.recordInteractions(
        items.slice(u % 10, (u % 10) + 8).map((item, k) => ({
          id: `${userId}-event-${k}`,
          userId,
          itemId: item.id,
          type: 'VIEW' as const,
          weight: 1,
          occurredAt: at(1 + k),
        })),
      );
    }
    expect(storeBytes(path).includes('erased-7f3a9c')).toBe(true);

    expect(await store.deleteUser('erased-7f3a9c')).toEqual({ deleted: true, interactionCount: 8 });
    const bytes = storeBytes(path);
    expect(bytes.includes('erased-7f3a9c')).toBe(false);
    expect(bytes.includes('user-29-event-7')).toBe(true);
    await store.close();

    const db = new Database(path, { readonly: true });
    const kept = db.prepare('SELECT key_hash FROM erased_interaction_keys ORDER BY key_hash').pluck().all();
    db.close();
    const expected = Array.from({ length: 8 }, (_, k) =>
      createHmac('sha256', secret).update(`erased-7f3a9c-event-${k}`).digest('base64url'),
    );
    expect(kept).toEqual(expected.sort());
  });

  it('refuses replays only under the secret the hashes were kept with', async () => {
    const path = freshPath();
    const view = (id: string) => ({ id, userId: 'gone', itemId: 'a', type: 'VIEW' as const, weight: 1, occurredAt: at(1) });
    const store = new SqliteGraphStore(path, undefined, secret);
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    await store.recordInteractions([view('evt-1')]);
    await store.deleteUser('gone');
    await store.close();
    const sameSecret = new SqliteGraphStore(path, undefined, secret);
    await expect(sameSecret.recordInteractions([view('evt-1')])).rejects.toBeInstanceOf(ErasedInteractionsError);
    await sameSecret.close();
    const otherSecret = new SqliteGraphStore(path, undefined, `${secret}-rotated`);
    expect((await otherSecret.recordInteractions([view('evt-1')])).recordedCount).toBe(1);
    await otherSecret.close();
  });
});

describe('embedded store reachability', () => {
  const like = (userId: string, itemId = 'a'): NewInteraction => ({ userId, itemId, type: 'LIKE', weight: 1, occurredAt: new Date(0) });
  async function seeded(path: string): Promise<SqliteGraphStore> {
    const store = new SqliteGraphStore(path, { cacheItems: 0, cacheUsers: 0, busyTimeoutMs: 50 });
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    await store.recordInteractions([like('u1')]);
    return store;
  }

  it('fails its ping while the file is write-protected, whether since opening or before, and answers it again after', async (context) => {
    const path = freshPath();
    const store = await seeded(path);
    const undo = writeProtect(path);
    if (undo === null) return context.skip('chattr +i is not permitted here');
    try {
      await expect(store.ping()).rejects.toThrow(/not writable/);
      const reopened = new SqliteGraphStore(path);
      try {
        expect(await reopened.interactionCounts(['u1'])).toEqual([1]);
        await expect(reopened.ping()).rejects.toThrow();
        await expect(reopened.recordInteractions([like('u2')])).rejects.toThrow();
      } finally {
        await reopened.close();
      }
    } finally {
      undo();
    }
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('answers pings and reads while another connection holds the write lock; a write gives up after the busy timeout as unavailable', async () => {
    const path = freshPath();
    const store = await seeded(path);
    const intruder = new Database(path);
    intruder.exec('BEGIN IMMEDIATE');
    try {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.interactionCounts(['u1'])).toEqual([1]);
      expect((await store.neighbourhoods(['u1'], { hop1: 5, hop2: 5 }))[0]!.items.map((i) => i.item.id)).toEqual(['a']);
      await expect(store.recordInteractions([like('u2')])).rejects.toBeInstanceOf(GraphStoreUnavailableError);
      await expect(store.deleteUser('u1')).rejects.toBeInstanceOf(GraphStoreUnavailableError);
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
    }
    expect((await store.recordInteractions([like('u2')])).recordedCount).toBe(1);
    await store.close();
  });

  it('keeps serving reads while a write waits for the lock, and lets the write through once it is released', async () => {
    const path = freshPath();
    const store = new SqliteGraphStore(path, { cacheItems: 0, cacheUsers: 0, busyTimeoutMs: 60_000 });
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    const intruder = new Database(path);
    intruder.exec('BEGIN IMMEDIATE');
    const write = store.recordInteractions([like('u1')]).then((result) => `recorded ${result.recordedCount}`);
    // Settles first: the waiting write does not hold up the event loop.
    const read = store.interactionCounts(['u1']).then((counts) => `read ${counts[0]}`);
    expect(await Promise.race([write, read])).toBe('read 0');
    intruder.exec('ROLLBACK');
    intruder.close();
    expect(await write).toBe('recorded 1');
    await store.close();
  });
});
