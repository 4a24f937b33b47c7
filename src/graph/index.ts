export type * from './store.js';
export { StoreUnavailableError, UnknownItemsError } from './store.js';
export { DEFAULT_INTERACTION_WEIGHTS, MAX_INTERACTION_WEIGHT, resolveInteractionWeight } from './interaction-weights.js';
export { SqliteGraphStore } from './embedded/sqlite-graph-store.js';
export { StoreAvailability, type StoreAvailabilityOptions } from './store-availability.js';
export { generateDemoDataset, type DemoDataset } from './demo/demo-dataset.js';
export { seedDemoData } from './demo/seed.js';
