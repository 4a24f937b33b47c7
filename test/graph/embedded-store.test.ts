import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteGraphStore } from '../../src/graph/index.js';
import { describeGraphStoreContract } from './store-contract.js';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'recograph-store-')), 'store.sqlite');

describeGraphStoreContract('embedded (SQLite)', async () => new SqliteGraphStore(freshPath()));

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
});
