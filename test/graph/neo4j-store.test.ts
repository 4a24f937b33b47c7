import { afterAll, beforeAll, describe, it } from 'vitest';
import { Neo4jGraphStore } from '../../src/graph/index.js';
import { findNeo4jTarget, startNeo4j, type RunningNeo4j } from '../support/neo4j-target.js';
import { describeGraphStoreContract } from './store-contract.js';

const target = await findNeo4jTarget();

if (target.kind === 'none') {
  console.warn(`Skipping the Neo4j leg of the graph-store contract: ${target.reason}.`);
  describe('GraphStore contract: Neo4j', () => {
    it.skip(`runs against Neo4j (skipped: ${target.reason})`, () => {});
  });
} else {
  describe(`Neo4j store (${target.describe})`, () => {
    let neo4j: RunningNeo4j;
    beforeAll(async () => {
      neo4j = await startNeo4j(target);
    }, 300_000);
    afterAll(() => neo4j?.stop());

    describeGraphStoreContract('Neo4j', async () => {
      await neo4j.erase();
      return Neo4jGraphStore.connect(neo4j.options);
    });
  });
}
