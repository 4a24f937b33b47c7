export type * from './store.js';
export { checkRetry, ErasedInteractionsError, GraphStoreUnavailableError, IdempotencyConflictError, UnknownItemsError } from './store.js';
export { DEVELOPMENT_ERASURE_SECRET } from './erased-keys.js';
export { itemRecord } from './item-upsert.js';
export { CATEGORY_RULE, isCategoryName, ITEM_FIELD_LIMITS, itemFieldProblem, type ItemFieldProblem } from './item-fields.js';
export { InvalidCursorError } from './interaction-cursor.js';
export {
  checkId,
  DEFAULT_INTERACTION_WEIGHTS,
  isInteractionWeight,
  MAX_ID_LENGTH,
  MAX_INTERACTION_WEIGHT,
  INTERACTION_TYPE_STRENGTH,
  INTERACTION_WEIGHT_RANGE,
  modelWeight,
  resolveInteractionWeight,
  type IdCheck,
} from './interaction-weights.js';
export { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_CACHE_ITEMS, DEFAULT_CACHE_USERS, SqliteGraphStore, type EmbeddedStoreOptions } from './embedded/sqlite-graph-store.js';
export { Neo4jGraphStore, type Neo4jOptions } from './neo4j/neo4j-graph-store.js';
export { openGraphStore, type GraphStoreSelection } from './open-graph-store.js';
export { StoreAvailability, type StoreAvailabilityOptions } from './store-availability.js';
export { generateDemoDataset, type DemoDataset } from './demo/demo-dataset.js';
export { seedDemoData } from './demo/seed.js';
