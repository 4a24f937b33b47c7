import neo4j from 'neo4j-driver';
import { describe, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Neo4jOptions } from '../../src/graph/index.js';

/** The image the container fallback runs: the current 5.x community release. */
export const NEO4J_IMAGE = 'neo4j:5-community';

export type Neo4jSettings = Readonly<Record<'NEO4J_URI' | 'NEO4J_USER' | 'NEO4J_PASSWORD', string>>;

/** What `neo4j-global-setup.ts` hands the Neo4j test files. */
export type Neo4jProvision =
  | { readonly available: true; readonly describe: string; readonly settings: Neo4jSettings }
  | { readonly available: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: Neo4jProvision;
  }
}

/** The shared Neo4j's client settings as recograph's environment variables. */
export function neo4jEnv(settings: Neo4jSettings = sharedNeo4j()): Record<string, string> {
  return { GRAPH_STORE: 'neo4j', ...settings };
}

export function neo4jOptions(settings: Neo4jSettings = sharedNeo4j()): Neo4jOptions {
  return loadConfig(neo4jEnv(settings)).neo4j;
}

function sharedNeo4j(): Neo4jSettings {
  const provision = inject('neo4j');
  if (!provision.available) throw new Error(`no Neo4j: ${provision.reason}`);
  return provision.settings;
}

/**
 * `describe` for tests that need the shared Neo4j: run when the global setup has one, else one
 * skipped test that prints why.
 */
export function describeNeo4j(name: string, body: () => void): void {
  const provision = inject('neo4j');
  if (!provision.available) {
    console.warn(`Skipping "${name}": ${provision.reason}.`);
    describe(name, () => it.skip(`needs Neo4j (skipped: ${provision.reason})`, () => {}));
    return;
  }
  describe(`${name} (${provision.describe})`, body);
}

/**
 * Deletes every node and relationship of the shared Neo4j (test-only; Community edition has one
 * user database, so Neo4j test files run one at a time and each starts from what it erased).
 */
export async function eraseNeo4j(settings: Neo4jSettings = sharedNeo4j()): Promise<void> {
  const options = neo4jOptions(settings);
  const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password));
  const session = driver.session({ database: options.database });
  try {
    // In batches (which only an auto-commit transaction may run): one transaction over a seeded
    // demo store would hold ~200k deletions in memory.
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
    await driver.close();
  }
}
