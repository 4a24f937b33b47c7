import type { GraphStore } from '../store.js';
import type { BadRow, DatasetFiles, SourcedInteraction } from './dataset-files.js';

/** What to do with bad rows: leave them out, or import nothing at all. */
export type OnError = 'skip' | 'reject';

export interface ImportOptions {
  readonly batchSize: number;
  readonly onError: OnError;
  /** Called once before writing with the number of rows to write, then after every batch. */
  readonly onProgress?: (progress: { readonly written: number; readonly total: number }) => void;
}

export interface ImportSummary {
  readonly items: number;
  /** Interaction rows written (new or already present). */
  readonly interactions: number;
  /** Of those, newly recorded (a re-import records none). */
  readonly recorded: number;
  readonly badRows: readonly BadRow[];
  readonly seconds: number;
}

/** Thrown with `onError: 'reject'` when any row is bad; nothing was written. */
export class ImportRejectedError extends Error {
  constructor(readonly badRows: readonly BadRow[]) {
    super(`${badRows.length} bad row(s); nothing was imported`);
    this.name = 'ImportRejectedError';
  }
}

const LOOKUP_CHUNK = 1000;

/** Item ids referenced by `interactions` that are neither in `catalogue` nor already in the store. */
async function missingItems(store: GraphStore, catalogue: ReadonlySet<string>, interactions: readonly SourcedInteraction[]) {
  const outside = [...new Set(interactions.map((r) => r.interaction.itemId))].filter((id) => !catalogue.has(id));
  const missing = new Set<string>();
  for (let k = 0; k < outside.length; k += LOOKUP_CHUNK) {
    const chunk = outside.slice(k, k + LOOKUP_CHUNK);
    (await store.items(chunk)).forEach((item, i) => item === null && missing.add(chunk[i]!));
  }
  return missing;
}

/**
 * Loads a dataset into a store. Every row is checked before anything is written, so `reject` leaves
 * the store untouched. Writes go in batches of `batchSize`, each one transaction; every
 * interaction carries an id, so an interrupted import is completed by running it again.
 */
export async function importDataset(store: GraphStore, dataset: DatasetFiles, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const catalogue = new Set(dataset.items.map((i) => i.id));
  const missing = await missingItems(store, catalogue, dataset.interactions);
  const badRows = [
    ...dataset.badRows,
    ...dataset.interactions
      .filter((r) => missing.has(r.interaction.itemId))
      .map((r): BadRow => ({ file: r.file, line: r.line, message: `item "${r.interaction.itemId}" is neither in the items file nor in the store` })),
  ].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  if (badRows.length > 0 && options.onError === 'reject') throw new ImportRejectedError(badRows);

  const rows = dataset.interactions.filter((r) => !missing.has(r.interaction.itemId));
  const total = dataset.items.length + rows.length;
  let written = 0;
  options.onProgress?.({ written, total });
  for (let k = 0; k < dataset.items.length; k += options.batchSize) {
    const batch = dataset.items.slice(k, k + options.batchSize);
    await store.upsertItems(batch);
    written += batch.length;
    options.onProgress?.({ written, total });
  }
  let recorded = 0;
  for (let k = 0; k < rows.length; k += options.batchSize) {
    const batch = rows.slice(k, k + options.batchSize);
    recorded += (await store.recordInteractions(batch.map((r) => r.interaction))).recordedCount;
    written += batch.length;
    options.onProgress?.({ written, total });
  }
  return {
    items: dataset.items.length,
    interactions: rows.length,
    recorded,
    badRows,
    seconds: (performance.now() - started) / 1000,
  };
}
