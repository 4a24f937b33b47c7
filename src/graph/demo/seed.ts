import type { GraphStore } from '../store.js';
import { generateDemoDataset, type DemoDataset } from './demo-dataset.js';

/** Fills an empty store with the demo dataset; a store that already holds interactions is left alone. */
export async function seedDemoData(store: GraphStore, dataset: DemoDataset = generateDemoDataset()): Promise<boolean> {
  if (!(await store.isEmpty())) return false;
  await store.upsertItems(dataset.items);
  await store.recordInteractions(dataset.interactions);
  return true;
}
