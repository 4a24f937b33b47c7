import neo4j from 'neo4j-driver';
import { expect, it } from 'vitest';
import { itemRecord, Neo4jGraphStore } from '../../src/graph/index.js';
import { describeNeo4j, eraseNeo4j, neo4jOptions } from '../support/neo4j.js';
import { describeFeedbackContract } from './feedback-contract.js';
import { describeInteractionsPageContract } from './interactions-page-contract.js';
import { describeGraphStoreContract } from './store-contract.js';
import { describeWriteRevisionContract } from './write-revision-contract.js';

describeNeo4j('Neo4j store', () => {
  describeGraphStoreContract('Neo4j', async () => {
    await eraseNeo4j();
    return Neo4jGraphStore.connect(neo4jOptions());
  });
  describeWriteRevisionContract('Neo4j, two drivers', async () => {
    await eraseNeo4j();
    return [await Neo4jGraphStore.connect(neo4jOptions()), await Neo4jGraphStore.connect(neo4jOptions())];
  });

  it('opens a database from before item revisions: old items become available, without description or tags, revised in id order', async () => {
    await eraseNeo4j();
    const options = neo4jOptions();
    const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password));
    try {
      await driver.executeQuery(
        `UNWIND $items AS item CREATE (:Item {id: item.id, title: item.title, category: item.category, userCount: 0})`,
        { items: [{ id: 'b', title: 'Bravo', category: 'Jazz' }, { id: 'a', title: 'Alpha', category: null }] },
        { database: options.database },
      );
    } finally {
      await driver.close();
    }
    const store = await Neo4jGraphStore.connect(options);
    try {
      expect(await store.items(['a', 'b'])).toEqual([itemRecord({ id: 'a', title: 'Alpha' }), itemRecord({ id: 'b', title: 'Bravo', category: 'Jazz' })]);
      expect(await store.catalogueRevision()).toBe(2);
      expect(await store.itemsChangedSince(0, 10)).toMatchObject({ items: [{ id: 'a' }, { id: 'b' }], revision: 2 });
      expect((await store.popularItems({ limit: 5 })).map((p) => p.item.id)).toEqual(['a', 'b']);
      const written = await store.upsertItems([{ id: 'b', title: 'Bravo', category: 'Jazz', tags: ['x'] }]);
      expect([written.createdCount, written.updatedCount]).toEqual([0, 1]);
      expect(await store.catalogueRevision()).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('numbers concurrent interaction writes without repeating a sequence number', async () => {
    await eraseNeo4j();
    const options = neo4jOptions();
    const store = await Neo4jGraphStore.connect(options);
    const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password));
    try {
      await store.upsertItems([{ id: 'a', title: 'Alpha' }]);
      const at = new Date(0);
      await Promise.all(
        Array.from({ length: 8 }, (_, w) =>
          store.recordInteractions([0, 1, 2].map((k) => ({ userId: `u${w}-${k}`, itemId: 'a', type: 'VIEW' as const, weight: 1, occurredAt: at }))),
        ),
      );
      const { records } = await driver.executeQuery(
        `MATCH (x:Interaction) WITH count(DISTINCT x.seq) AS distinctSeqs, count(*) AS interactions
         MATCH (s:Sequence {name: 'interaction'}) RETURN distinctSeqs, interactions, s.value AS next`,
        {},
        { database: options.database },
      );
      expect(records.map((r) => [r.get('distinctSeqs').toNumber(), r.get('interactions').toNumber(), r.get('next').toNumber()])).toEqual([[24, 24, 24]]);
    } finally {
      await driver.close();
      await store.close();
    }
  });

  describeInteractionsPageContract('Neo4j', async () => {
    await eraseNeo4j();
    return Neo4jGraphStore.connect(neo4jOptions());
  });

  describeFeedbackContract('Neo4j', async () => {
    await eraseNeo4j();
    return Neo4jGraphStore.connect(neo4jOptions());
  });
});
