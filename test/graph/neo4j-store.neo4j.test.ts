import { Neo4jGraphStore } from '../../src/graph/index.js';
import { describeNeo4j, eraseNeo4j, neo4jOptions } from '../support/neo4j.js';
import { describeInteractionsPageContract } from './interactions-page-contract.js';
import { describeGraphStoreContract } from './store-contract.js';

describeNeo4j('Neo4j store', () => {
  describeGraphStoreContract('Neo4j', async () => {
    await eraseNeo4j();
    return Neo4jGraphStore.connect(neo4jOptions());
  });
  describeInteractionsPageContract('Neo4j', async () => {
    await eraseNeo4j();
    return Neo4jGraphStore.connect(neo4jOptions());
  });
});
