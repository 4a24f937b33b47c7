import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { neighbourhoodsQuery } from '../../src/graph/neo4j/cypher.js';
import { Neo4jExecutor } from '../../src/graph/neo4j/executor.js';
import { describeDocumentedQueries } from '../docs/queries.suite.js';
import { describeEntityReferences } from '../federation/entity-references.suite.js';
import { describeNeo4j } from '../support/neo4j.js';
import { NEO4J } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';
import { describeCatalogueWrites } from './catalogue-writes.suite.js';
import { describeCrashDurability } from './crash-durability.suite.js';
import { describeUserErasure } from './delete-user.suite.js';
import { describeFeedback } from './feedback.suite.js';
import { describeRealtimeUpdates } from './realtime.suite.js';
import { describeRankingRules } from './ranking-rules.suite.js';
import { describeRecommendationList } from './recommendation-list.suite.js';
import { describeResultCache } from './result-cache.suite.js';
import { describeSessionRecommendations } from './session-recommendations.suite.js';
import { describeWhatIf } from './what-if.suite.js';

// One demo seeding (by the first server) serves every suite: the documented queries run first, on
// the untouched data, and the writing suites touch users no later suite asserts on.
describeNeo4j('the API on Neo4j', () => {
  beforeAll(() => NEO4J.erase());

  describeDocumentedQueries(NEO4J);
  describeWhatIf(NEO4J);
  describeRankingRules(NEO4J);
  describeSessionRecommendations(NEO4J);
  describeRecommendationList(NEO4J);
  describeEntityReferences(NEO4J);
  describeRealtimeUpdates(NEO4J);
  describeCatalogueWrites(NEO4J);
  describeUserErasure(NEO4J);
  describeFeedback(NEO4J);
  describeResultCache(NEO4J);
  describeCrashDurability(NEO4J);

  describe('two API processes on one Neo4j', () => {
    let writer: TestServer;
    let reader: TestServer;
    beforeAll(async () => {
      [writer, reader] = await Promise.all([startTestServerOn(NEO4J), startTestServerOn(NEO4J)]);
    });
    afterAll(() => Promise.all([writer?.close(), reader?.close()]));

    it("reflects a write through one in the other's very next recommendations", async () => {
      const recommend = `query ($id: ID!) { recommendations(userId: $id, first: 10) { item { id } explanation { contributions(first: 50) { item { id } } } } }`;
      const userId = 'user-0777';
      const before = (await reader.graphql(recommend, { id: userId })).data.recommendations;
      const bought = before[0].item.id as string;
      const recorded = await writer.graphql(
        `mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }`,
        { input: [{ userId, itemId: bought, type: 'PURCHASE' }] },
      );
      expect(recorded.data.recordInteractions.recordedCount).toBe(1);
      const after = (await reader.graphql(recommend, { id: userId })).data.recommendations;
      expect(after.map((r: any) => r.item.id)).not.toContain(bought);
      expect(after[0].explanation.contributions.map((c: any) => c.item.id)).toContain(bought);
    });
  });

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
