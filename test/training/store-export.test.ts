import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteGraphStore } from '../../src/graph/index.js';
import { readCsvDataset } from '../../src/graph/import/index.js';
import { exportStoreDataset, type StoreExportProgress } from '../../src/training/index.js';

describe('exporting the store for training', () => {
  it('streams the event log and catalogue page by page into the CSV pair, with each interaction\'s own time', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'recograph-export-'));
    const store = new SqliteGraphStore(join(folder, 'store.sqlite'));
    await store.upsertItems([
      { id: 'b', title: 'Bravo, "the" second', category: null },
      { id: 'a', title: 'Alpha', category: 'Jazz' },
      { id: 'c', title: 'Charlie', category: 'Rock' },
    ]);
    const at = (ms: number) => new Date(Date.UTC(2026, 4, 1) + ms);
    const interactions = [
      { userId: 'u2', itemId: 'c', type: 'PURCHASE', weight: 5, occurredAt: at(7) },
      { userId: 'u1', itemId: 'a', type: 'VIEW', weight: 1, occurredAt: at(1) },
      { userId: 'u1', itemId: 'a', type: 'LIKE', weight: 2, occurredAt: at(3) },
    ] as const;
    await store.recordInteractions(interactions);
    const progress: StoreExportProgress[] = [];
    const summary = await exportStoreDataset(store, join(folder, 'dataset'), { pageSize: 2, onProgress: (p) => progress.push(p) });
    await store.close();

    expect(summary).toEqual({ items: 3, interactions: 3, directory: join(folder, 'dataset') });
    expect(progress).toEqual([
      { phase: 'interactions', rows: 2 },
      { phase: 'interactions', rows: 3 },
      { phase: 'items', rows: 2 },
      { phase: 'items', rows: 3 },
    ]);
    expect(await readFile(join(folder, 'dataset', 'interactions.csv'), 'utf8')).toBe(
      'userId,itemId,type,weight,timestamp\n' +
        'u2,c,PURCHASE,5,2026-05-01T00:00:00.007Z\nu1,a,VIEW,1,2026-05-01T00:00:00.001Z\nu1,a,LIKE,2,2026-05-01T00:00:00.003Z\n',
    );
    // The import reads it back as it was: the pair is the documented import format too.
    const back = await readCsvDataset(join(folder, 'dataset', 'interactions.csv'), join(folder, 'dataset', 'items.csv'));
    expect(back.badRows).toEqual([]);
    expect(back.items).toEqual([
      { id: 'a', title: 'Alpha', category: 'Jazz', available: true },
      { id: 'b', title: 'Bravo, "the" second', available: true },
      { id: 'c', title: 'Charlie', category: 'Rock', available: true },
    ]);
    expect(back.interactions.map((r) => ({ ...r.interaction, id: undefined }))).toEqual(interactions.map((i) => ({ ...i, id: undefined })));
  });
});
