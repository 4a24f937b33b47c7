import { join } from 'node:path';
import { Neo4jGraphStore, SqliteGraphStore, type GraphStore } from '../../src/graph/index.js';
import { eraseNeo4j, neo4jEnv, neo4jOptions } from './neo4j.js';

/**
 * A graph store the HTTP-level suites run on: the same suite, the same assertions, on each store.
 * `env(dataDir)` gives the server (or CLI) settings that select it, `openStore` opens it directly.
 */
export interface StoreLeg {
  readonly name: 'embedded' | 'neo4j';
  env(dataDir: string): Record<string, string>;
  openStore(dataDir: string): Promise<GraphStore>;
  /** Empties the store a suite starts from (a fresh `dataDir` is already empty on the embedded store). */
  erase(): Promise<void>;
}

export const EMBEDDED: StoreLeg = {
  name: 'embedded',
  env: (dataDir) => ({ GRAPH_STORE: 'embedded', DATA_DIR: dataDir }),
  openStore: async (dataDir) => new SqliteGraphStore(join(dataDir, 'recograph.sqlite')),
  erase: async () => {},
};

/** The shared Neo4j of the `neo4j` vitest project (test/support/neo4j-global-setup.ts). */
export const NEO4J: StoreLeg = {
  name: 'neo4j',
  env: (dataDir) => ({ ...neo4jEnv(), DATA_DIR: dataDir }),
  openStore: () => Neo4jGraphStore.connect(neo4jOptions()),
  erase: () => eraseNeo4j(),
};
