import { demoDataset, importDataset } from '../import/index.js';
import type { GraphStore } from '../store.js';
import { generateDemoDataset, type DemoDataset } from './demo-dataset.js';

/** Rows per transaction: a whole demo dataset in one would be a ~95k-row Neo4j transaction. */
const SEED_BATCH = 5000;

/**
 * Fills an empty store with the demo dataset, keyed exactly as `npm run import -- --demo` keys it
 * (so importing it afterwards records nothing twice); a store that already holds interactions is left alone.
 */
export async function seedDemoData(store: GraphStore, dataset: DemoDataset = generateDemoDataset()): Promise<boolean> {
  if (!(await store.isEmpty())) return false;
  await importDataset(store, demoDataset(dataset), { batchSize: SEED_BATCH, onError: 'reject' });
  return true;
}
