import { join } from 'node:path';
import { SqliteGraphStore, type EmbeddedStoreOptions } from './embedded/sqlite-graph-store.js';
import { Neo4jGraphStore, type Neo4jOptions } from './neo4j/neo4j-graph-store.js';
import type { GraphStore } from './store.js';

export interface GraphStoreSelection {
  readonly graphStore: 'embedded' | 'neo4j';
  /** The embedded store lives in `<dataDir>/recograph.sqlite`. */
  readonly dataDir: string;
  readonly embedded: EmbeddedStoreOptions;
  readonly neo4j: Neo4jOptions;
  /** Key of the HMACs kept of erased interaction ids (see `erased-keys.ts`). */
  readonly erasureSecret: string;
}

/** Opens the configured adapter: the embedded store by default, Neo4j when selected. */
export async function openGraphStore(selection: GraphStoreSelection): Promise<GraphStore> {
  return selection.graphStore === 'neo4j'
    ? Neo4jGraphStore.connect(selection.neo4j, selection.erasureSecret)
    : new SqliteGraphStore(join(selection.dataDir, 'recograph.sqlite'), selection.embedded, selection.erasureSecret);
}
