import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemRecord, SqliteGraphStore, type GraphStore } from '../../../src/graph/index.js';
import { demoDataset, importDataset, ImportRejectedError, readCsvDataset, readLightGcnDataset } from '../../../src/graph/import/index.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'recograph-import-'));

function csvFiles(interactions: string, items = 'itemId,title,category\na,Alpha,Jazz\nb,Bravo,\n') {
  const dir = scratch();
  writeFileSync(join(dir, 'interactions.csv'), interactions);
  writeFileSync(join(dir, 'items.csv'), items);
  return { interactions: join(dir, 'interactions.csv'), items: join(dir, 'items.csv') };
}

const GOOD_AND_BAD = [
  'userId,itemId,type,weight,timestamp',
  'u1,a,LIKE,,2026-01-02T00:00:00Z',
  'u1,b,PURCHASE,1.5,2026-01-03T00:00:00Z',
  'u2,zzz,VIEW,1,2026-01-03T00:00:00Z',
  'u2,a,BROWSE,1,2026-01-03T00:00:00Z',
  ',a,VIEW,1,2026-01-03T00:00:00Z',
  'u2,b,VIEW,-2,yesterday',
  'u2,b,,,2026-01-04T00:00:00Z',
].join('\n');

describe('dataset import', () => {
  let store: GraphStore;
  beforeEach(() => {
    store = new SqliteGraphStore(join(scratch(), 'store.sqlite'));
  });
  afterEach(() => store.close());

  it('reports every bad CSV row with its line number and imports nothing when rejecting', async () => {
    const files = csvFiles(GOOD_AND_BAD);
    const attempt = importDataset(store, await readCsvDataset(files.interactions, files.items), { batchSize: 2, onError: 'reject' });
    await expect(attempt).rejects.toBeInstanceOf(ImportRejectedError);
    const { badRows } = (await attempt.catch((e: ImportRejectedError) => e)) as ImportRejectedError;
    expect(badRows.map((r) => [r.line, r.message])).toEqual([
      [4, 'item "zzz" is neither in the items file nor in the store'],
      [5, expect.stringMatching(/^type /)],
      [6, 'userId is empty'],
      [7, expect.stringMatching(/weight must be a number in \(0, 100\][^;]*; timestamp is not an ISO-8601 date-time/)],
    ]);
    expect(await store.isEmpty()).toBe(true);
    expect(await store.items(['a'])).toEqual([null]);
  });

  it('skips bad rows when asked, importing the rest with default weights and types', async () => {
    const files = csvFiles(GOOD_AND_BAD);
    const summary = await importDataset(store, await readCsvDataset(files.interactions, files.items), { batchSize: 2, onError: 'skip' });
    expect(summary).toMatchObject({ items: 2, interactions: 3, recorded: 3 });
    expect(summary.badRows.map((r) => r.line)).toEqual([4, 5, 6, 7]);
    const [u1, u2] = await store.recentInteractions(['u1', 'u2'], 5);
    expect(u1!.map((i) => [i.itemId, i.type, i.weight])).toEqual([
      ['b', 'PURCHASE', 1.5],
      ['a', 'LIKE', 2],
    ]);
    expect(u2!.map((i) => [i.itemId, i.type, i.weight])).toEqual([['b', 'VIEW', 1]]);
    expect(await store.items(['b'])).toEqual([itemRecord({ id: 'b', title: 'Bravo' })]);
  });

  it('reads descriptions, tags and availability from the items file, by the API rules, and writes items whole', async () => {
    const items = [
      'itemId,title,category,description,tags,available',
      'a,Alpha,Jazz,"Hard bop, live",sax | live,false',
      'b,Bravo,,,,',
      'c,Charlie,Rock,,,1',
      'd,Delta,Rock,,,maybe',
      `e,Echo,,,${Array.from({ length: 33 }, (_, k) => `t${k}`).join('|')},`,
      'f,Foxtrot,,,a||b,0',
      `g,${'G'.repeat(301)},,,,`,
      'a,Alpha again,,,,',
    ].join('\n');
    const files = csvFiles('userId,itemId,type,weight,timestamp\n', items);
    const dataset = await readCsvDataset(files.interactions, files.items);
    expect(dataset.badRows.map((r) => [r.line, r.message])).toEqual([
      [5, expect.stringMatching(/^available must be true, false, 1 or 0/)],
      [6, 'tags takes at most 32 tags; got 33'],
      [7, 'tags[1] must be 1 to 64 characters without control characters'],
      [8, 'title must be 1 to 300 characters without control characters'],
      [9, 'item "a" repeats line 2'],
    ]);
    await importDataset(store, dataset, { batchSize: 2, onError: 'skip' });
    expect(await store.items(['a', 'b', 'c'])).toEqual([
      { id: 'a', title: 'Alpha', category: 'Jazz', description: 'Hard bop, live', tags: ['sax', 'live'], available: false },
      itemRecord({ id: 'b', title: 'Bravo' }),
      itemRecord({ id: 'c', title: 'Charlie', category: 'Rock' }),
    ]);

    // Written whole: an item file without the new columns clears them.
    const plain = csvFiles('userId,itemId,type,weight,timestamp\n', 'itemId,title,category\na,Alpha,Jazz\n');
    await importDataset(store, await readCsvDataset(plain.interactions, plain.items), { batchSize: 2, onError: 'reject' });
    expect(await store.items(['a'])).toEqual([itemRecord({ id: 'a', title: 'Alpha', category: 'Jazz' })]);
  });

  it('is idempotent: importing the same files again records nothing new', async () => {
    const files = csvFiles(GOOD_AND_BAD);
    const options = { batchSize: 2, onError: 'skip' } as const;
    await importDataset(store, await readCsvDataset(files.interactions, files.items), options);
    const again = await importDataset(store, await readCsvDataset(files.interactions, files.items), options);
    expect(again.recorded).toBe(0);
    expect(await store.interactionCounts(['u1', 'u2'])).toEqual([2, 1]);
  });

  it('accepts interactions on items already in the store without an items file, and reports progress', async () => {
    await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
    const files = csvFiles('id,userId,itemId,type,weight,timestamp\nevt-1,u1,a,VIEW,1,2026-01-01T00:00:00Z\n');
    const progress: number[] = [];
    const summary = await importDataset(store, await readCsvDataset(files.interactions), {
      batchSize: 10,
      onError: 'reject',
      onProgress: ({ written }) => progress.push(written),
    });
    expect(summary.recorded).toBe(1);
    expect(progress).toEqual([0, 1]);
    expect((await store.recentInteractions(['u1'], 1))[0]![0]!.id).toBe('evt-1');
  });

  it('reads LightGCN splits as training does: decimal ids, weight 1, later in the line = more recent', async () => {
    const dir = join(scratch(), 'tiny');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.txt'), '0 3 1 3\n2 0\n1\n7 x 2\n');
    const dataset = await readLightGcnDataset(dir, ['train'], 'VIEW');
    expect(dataset.badRows).toEqual([{ file: 'train.txt', line: 4, message: '"x" is not a non-negative integer index' }]);
    expect(dataset.items.map((i) => i.id)).toEqual(['0', '1', '3']);
    await importDataset(store, dataset, { batchSize: 2, onError: 'skip' });
    const [n] = await store.neighbourhoods(['0'], { hop1: 5, hop2: 5 });
    expect(n!.items.map((i) => [i.item.id, i.weight, i.lastAt.getTime()])).toEqual([
      ['3', 2, 2],
      ['1', 1, 1],
    ]);
  });

  it('keys every demo interaction, so importing the demo data twice records it once', () => {
    const { interactions, badRows } = demoDataset();
    const keys = new Set(interactions.map((r) => r.interaction.id));
    expect(badRows).toEqual([]);
    expect(keys.size).toBe(interactions.length);
    expect(interactions[0]!.interaction.id).toBe('demo:0');
  });
});
