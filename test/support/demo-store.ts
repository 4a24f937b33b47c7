import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoData, SqliteGraphStore } from '../../src/graph/index.js';

/** A fresh embedded store holding the demo dataset. */
export async function openDemoStore(): Promise<SqliteGraphStore> {
  const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-demo-')), 'store.sqlite'));
  await seedDemoData(store);
  return store;
}
