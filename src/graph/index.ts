export type * from './store.js';
export { UnknownItemsError } from './store.js';
export { DEFAULT_INTERACTION_WEIGHTS, MAX_INTERACTION_WEIGHT, resolveInteractionWeight } from './interaction-weights.js';
export { SqliteGraphStore } from './embedded/sqlite-graph-store.js';
export { generateDemoDataset, type DemoDataset } from './demo/demo-dataset.js';
export { seedDemoData } from './demo/seed.js';
