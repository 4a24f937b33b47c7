import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoData, SqliteGraphStore } from '../../src/graph/index.js';

export const freshStoreFile = () => join(mkdtempSync(join(tmpdir(), 'recograph-demo-')), 'store.sqlite');

/** A fresh embedded store holding the demo dataset, in `file` (a new temporary file by default). */
export async function openDemoStore(file = freshStoreFile()): Promise<SqliteGraphStore> {
  const store = new SqliteGraphStore(file);
  await seedDemoData(store);
  return store;
}
