import { lintCypherQuery, type DbSchema } from '@neo4j-cypher/language-support';
import { describe, expect, it } from 'vitest';
import * as cypher from '../../src/graph/neo4j/cypher.js';
import type { CypherQuery } from '../../src/graph/neo4j/cypher.js';
import type { Impression } from '../../src/graph/index.js';

const row: cypher.InteractionRow = { key: 'evt-1', userId: 'u1', itemId: 'a', type: 'VIEW', weight: 1, occurredAt: 0, recommendationId: 'rec-1' };
const impression: Impression = {
  recommendationId: 'rec-1',
  userId: null,
  surface: 'SIMILAR_ITEMS',
  experiment: null,
  variant: null,
  modelVersion: 'm1',
  shownAt: new Date(0),
  items: [
    { itemId: 'a', rank: 1 },
    { itemId: 'b', rank: 2 },
  ],
};

/** Every statement the adapter can send, built with representative arguments. */
const statements: Record<string, readonly CypherQuery[]> = {
  SCHEMA_STATEMENTS: cypher.SCHEMA_STATEMENTS,
  neighbourhoodsQuery: [cypher.neighbourhoodsQuery(['u1'], 20, 10), cypher.neighbourhoodsQuery(['u1'], 20, cypher.RECENT_USERS_PER_ITEM)],
  itemsQuery: [cypher.itemsQuery(['a'])],
  itemUsersQuery: [cypher.itemUsersQuery(['a'], 32), cypher.itemUsersQuery(['a'], 100)],
  untypedEdgesQuery: [cypher.untypedEdgesQuery(1000)],
  typeEdgesQuery: [cypher.typeEdgesQuery([{ userId: 'u1', itemId: 'a' }])],
  usersQuery: [cypher.usersQuery(['u1'])],
  recentInteractionsQuery: [cypher.recentInteractionsQuery(['u1'], 5)],
  interactionsPageQuery: [cypher.interactionsPageQuery(-1, 1001)],
  listUsersQuery: [cypher.listUsersQuery('', 21)],
  listItemsQuery: [cypher.listItemsQuery('', 21, null), cypher.listItemsQuery('b', 21, 'Jazz')],
  categoriesQuery: [cypher.categoriesQuery()],
  popularItemsQuery: [cypher.popularItemsQuery(10, ['Jazz'], ['Rock'], ['a']), cypher.popularItemsQuery(10, null, [], [])],
  unknownItemsQuery: [cypher.unknownItemsQuery(['a'])],
  interactionsByKeyQuery: [cypher.interactionsByKeyQuery(['evt-1'])],
  recordInteractionsQuery: [cypher.recordInteractionsQuery([row], 0)],
  lockCatalogueQuery: [cypher.lockCatalogueQuery],
  catalogueRevisionQuery: [cypher.catalogueRevisionQuery],
  writeRevisionQuery: [cypher.writeRevisionQuery],
  writeItemsQuery: [
    cypher.writeItemsQuery([
      { item: { id: 'a', title: 'Alpha', category: null, description: null, tags: [], available: true }, revision: 1 },
      { item: { id: 'b', title: 'Bravo', category: 'Jazz', description: 'Hard bop', tags: ['sax'], available: false }, revision: 2 },
    ]),
  ],
  itemsChangedSinceQuery: [cypher.itemsChangedSinceQuery(0, 100)],
  itemsWithoutRevisionQuery: [cypher.itemsWithoutRevisionQuery(1000)],
  erasedKeyHashesQuery: [cypher.erasedKeyHashesQuery(['hash'])],
  userInteractionKeysQuery: [cypher.userInteractionKeysQuery('u1')],
  deleteUserQuery: [cypher.deleteUserQuery('u1', ['hash'])],
  deleteImpressionsQuery: [cypher.deleteImpressionsQuery('u1')],
  recordImpressionsQuery: [cypher.recordImpressionsQuery([impression])],
  feedbackCountsQuery: [
    cypher.feedbackCountsQuery(null, null, ['PURCHASE']),
    cypher.feedbackCountsQuery(0, 60_000, []),
    cypher.feedbackCountsQuery(0, null, ['PURCHASE']),
    cypher.feedbackCountsQuery(null, 60_000, ['PURCHASE']),
  ],
  withoutSortKeyQuery: [cypher.withoutSortKeyQuery('User', 1000), cypher.withoutSortKeyQuery('Item', 1000)],
  setSortKeysQuery: [cypher.setSortKeysQuery('User', ['u1']), cypher.setSortKeysQuery('Item', ['a'])],
  itemsWithoutRecentUsersQuery: [cypher.itemsWithoutRecentUsersQuery(1000)],
  rebuildRecentUsersQuery: [cypher.rebuildRecentUsersQuery(['a'])],
  lockInteractionWritesQuery: [cypher.lockInteractionWritesQuery],
  anyInteractionQuery: [cypher.anyInteractionQuery],
  pingQuery: [cypher.pingQuery],
};

const declaredSchema = (params: CypherQuery['params']): DbSchema => ({
  labels: [...cypher.GRAPH_MODEL.labels],
  relationshipTypes: [...cypher.GRAPH_MODEL.relationshipTypes],
  propertyKeys: [...cypher.GRAPH_MODEL.propertyKeys],
  parameters: { ...params },
});

const lint = (query: CypherQuery) =>
  lintCypherQuery(query.cypher, declaredSchema(query.params)).diagnostics.map((d) => `${d.severity}: ${d.message}`);

describe('Cypher statements of the Neo4j adapter', () => {
  it('covers every statement the adapter exports', () => {
    const exported = Object.entries(cypher)
      .filter(([, value]) => typeof value === 'function' || (typeof value === 'object' && value !== null && 'cypher' in value))
      .map(([name]) => name);
    expect(Object.keys(statements).sort()).toEqual([...exported, 'SCHEMA_STATEMENTS'].sort());
  });

  it.each(Object.entries(statements).flatMap(([name, queries]) => queries.map((q, i) => [`${name}#${i}`, q] as const)))(
    '%s lints clean against the declared graph model: no errors, no warnings, no deprecations',
    (_name, query) => {
      expect(lint(query)).toEqual([]);
    },
  );

  it('lints out a statement that strays from the declared model or its parameters', () => {
    const stray = { cypher: 'MATCH (u:Customer)-[:BOUGHT]->(i:Item) RETURN u.nickname, id(i), $missing', params: {} };
    const problems = lint(stray).join('\n');
    for (const culprit of ['Customer', 'BOUGHT', 'nickname', "'id' has been replaced", '$missing']) expect(problems).toContain(culprit);
  });

  it('reads hop 2 from the bounded recent-users list whenever the fan-out fits in it', () => {
    expect(cypher.neighbourhoodsQuery(['u1'], 20, cypher.RECENT_USERS_PER_ITEM - 1).cypher).toContain('[f:RECENT_USER]');
    expect(cypher.neighbourhoodsQuery(['u1'], 20, cypher.RECENT_USERS_PER_ITEM).cypher).not.toContain('RECENT_USER');
  });

  it('sends integers that Cypher must see as INTEGER as driver Integers', () => {
    const { params } = cypher.neighbourhoodsQuery(['u1'], 20, 10);
    expect(params.hop1).toMatchObject({ low: 20, high: 0 });
    expect(params.hop2).toMatchObject({ low: 10, high: 0 });
    const [row] = cypher.recordImpressionsQuery([impression]).params.rows as Record<string, unknown>[];
    expect(row).toMatchObject({ rank: { low: 1, high: 0 }, shownAt: { low: 0, high: 0 } });
  });

  it('writes one row per served item of a batch of impressions, and bounds the feedback window only where asked', () => {
    const rows = cypher.recordImpressionsQuery([impression, { ...impression, recommendationId: 'rec-2', items: [{ itemId: 'b', rank: 3 }] }]).params.rows as Record<string, unknown>[];
    expect(rows.map((r) => [r.recommendationId, r.itemId])).toEqual([
      ['rec-1', 'a'],
      ['rec-1', 'b'],
      ['rec-2', 'b'],
    ]);
    expect(cypher.feedbackCountsQuery(null, null, []).cypher).not.toContain('WHERE m.shownAt');
    expect(cypher.feedbackCountsQuery(0, 1, []).cypher).toContain('WHERE m.shownAt >= $since AND m.shownAt < $until');
  });
});
