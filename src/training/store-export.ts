import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphStore } from '../graph/index.js';
import { INTERACTIONS_FILE, interactionsCsv, ITEMS_FILE, itemsCsv } from './dataset-csv.js';

export interface StoreExportProgress {
  readonly phase: 'items' | 'interactions';
  /** Rows of this phase written so far. */
  readonly rows: number;
}

export interface StoreExportSummary {
  readonly items: number;
  readonly interactions: number;
  readonly directory: string;
}

/**
 * Streams the store's event log (`interactionsPage`) and catalogue (`listItems`) into `directory` as
 * the training CSV pair, `pageSize` records per read, so memory stays bounded by one page whatever
 * the store holds. Interactions recorded during the export are included up to the last page read.
 */
export async function exportStoreDataset(
  store: GraphStore,
  directory: string,
  options: { readonly pageSize: number; readonly onProgress?: (progress: StoreExportProgress) => void },
): Promise<StoreExportSummary> {
  await mkdir(directory, { recursive: true });
  // Interactions first: items are never deleted, so every item an exported interaction names is
  // in the catalogue read after it, even one added meanwhile.
  const interactionsPath = join(directory, INTERACTIONS_FILE);
  await writeFile(interactionsPath, interactionsCsv([], true));
  let interactions = 0;
  for (let after: string | null = null, more = true; more; ) {
    const page = await store.interactionsPage({ first: options.pageSize, after });
    await appendFile(interactionsPath, interactionsCsv(page.records, false));
    interactions += page.records.length;
    options.onProgress?.({ phase: 'interactions', rows: interactions });
    after = page.endCursor;
    more = page.hasNextPage;
  }
  const itemsPath = join(directory, ITEMS_FILE);
  await writeFile(itemsPath, itemsCsv([], true));
  let items = 0;
  for (let afterId: string | null = null, more = true; more; ) {
    const page = await store.listItems({ first: options.pageSize, afterId });
    await appendFile(itemsPath, itemsCsv(page.records, false));
    items += page.records.length;
    options.onProgress?.({ phase: 'items', rows: items });
    afterId = page.records.at(-1)?.id ?? afterId;
    more = page.hasNextPage;
  }
  return { items, interactions, directory };
}
