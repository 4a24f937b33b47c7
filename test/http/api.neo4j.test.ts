import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { neighbourhoodsQuery } from '../../src/graph/neo4j/cypher.js';
import { Neo4jExecutor } from '../../src/graph/neo4j/executor.js';
import { describeDocumentedQueries } from '../docs/queries.suite.js';
import { describeEntityReferences } from '../federation/entity-references.suite.js';
import { describeNeo4j } from '../support/neo4j.js';
import { NEO4J } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';
import { describeUserErasure } from './delete-user.suite.js';
import { describeRealtimeUpdates } from './realtime.suite.js';
import { describeWhatIf } from './what-if.suite.js';

// One demo seeding (by the first server) serves every suite: the documented queries run first, on
// the untouched data, and the writing suites touch users no later suite asserts on.
describeNeo4j('the API on Neo4j', () => {
  beforeAll(() => NEO4J.erase());

  describeDocumentedQueries(NEO4J);
  describeWhatIf(NEO4J);
  describeEntityReferences(NEO4J);
  describeRealtimeUpdates(NEO4J);
  describeUserErasure(NEO4J);

  describe('federation entity batching, counted in Cypher statements', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServerOn(NEO4J);
    });
    afterAll(() => server?.close());

    it('sends one neighbourhood statement for 100 user references', async () => {
      const neighbourhoodStatement = neighbourhoodsQuery([], 1, 1).cypher;
      const reads = vi.spyOn(Neo4jExecutor.prototype, 'read');
      try {
        const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'User', id: `user-${String(i + 1).padStart(4, '0')}` }));
        const { errors } = await server.graphql(
          `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { recommendations(first: 3) { item { id } } } } }`,
          { representations },
        );
        expect(errors).toBeUndefined();
        const statements = reads.mock.calls.filter(([query]) => query.cypher === neighbourhoodStatement);
        expect(statements).toHaveLength(1);
        expect((statements[0]![0].params.userIds as string[]).length).toBe(100);
      } finally {
        reads.mockRestore();
      }
    });
  });
});
