import neo4j from 'neo4j-driver';
import { idSortKey } from '../id-order.js';
import { typeStrengthExpression } from '../interaction-weights.js';
import type { Impression, ItemRecord } from '../store.js';

/**
 * Every Cypher statement the Neo4j adapter sends, as pure builders returning `{ cypher, params }`.
 * Values always travel as parameters; nothing from input is spliced into the text. Integers that
 * Cypher must see as INTEGER (limits, epoch milliseconds) are wrapped with `neo4j.int`, because
 * the driver sends plain JavaScript numbers as FLOAT. Users and items are ordered by their
 * `sortKey` (see `id-order.ts`), never by `id`, so that both stores agree on non-ASCII ids. The
 * graph model: docs/graph-model.md.
 */
export interface CypherQuery {
  readonly cypher: string;
  readonly params: Readonly<Record<string, unknown>>;
}

const int = (value: number) => neo4j.int(value);

/** Labels, relationship types and property keys the statements below may use (linted in tests). */
export const GRAPH_MODEL = {
  labels: ['User', 'Item', 'Interaction', 'Sequence', 'ErasedInteraction', 'Impression'],
  relationshipTypes: ['INTERACTED', 'RECENT_USER'],
  propertyKeys: [
    'id',
    'title',
    'category',
    'userCount',
    'createdAt',
    'interactionCount',
    'weight',
    'lastAt',
    'key',
    'userId',
    'itemId',
    'type',
    'occurredAt',
    'seq',
    'name',
    'value',
    'erasures',
    'keyHash',
    'sortKey',
    'description',
    'tags',
    'available',
    'revision',
    'recommendationId',
    'rank',
    'surface',
    'experiment',
    'variant',
    'modelVersion',
    'shownAt',
  ],
} as const;

/** Idempotent at start; each runs in its own transaction (schema and data writes never mix). */
export const SCHEMA_STATEMENTS: readonly CypherQuery[] = [
  'CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE',
  'CREATE CONSTRAINT item_id IF NOT EXISTS FOR (i:Item) REQUIRE i.id IS UNIQUE',
  'CREATE CONSTRAINT interaction_key IF NOT EXISTS FOR (x:Interaction) REQUIRE x.key IS UNIQUE',
  'CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE',
  'CREATE CONSTRAINT erased_interaction_key_hash IF NOT EXISTS FOR (e:ErasedInteraction) REQUIRE e.keyHash IS UNIQUE',
  'CREATE INDEX item_category IF NOT EXISTS FOR (i:Item) ON (i.category)',
  'CREATE INDEX item_popularity IF NOT EXISTS FOR (i:Item) ON (i.userCount)',
  'CREATE INDEX interaction_user IF NOT EXISTS FOR (x:Interaction) ON (x.userId)',
  'CREATE INDEX interaction_seq IF NOT EXISTS FOR (x:Interaction) ON (x.seq)',
  'CREATE INDEX user_sort_key IF NOT EXISTS FOR (u:User) ON (u.sortKey)',
  'CREATE INDEX item_sort_key IF NOT EXISTS FOR (i:Item) ON (i.sortKey)',
  'CREATE INDEX item_revision IF NOT EXISTS FOR (i:Item) ON (i.revision)',
  'CREATE INDEX interaction_recommendation IF NOT EXISTS FOR (x:Interaction) ON (x.recommendationId, x.itemId)',
  'CREATE CONSTRAINT impression_rank IF NOT EXISTS FOR (m:Impression) REQUIRE (m.recommendationId, m.rank) IS UNIQUE',
  'CREATE INDEX impression_user IF NOT EXISTS FOR (m:Impression) ON (m.userId)',
  'CREATE INDEX impression_shown_at IF NOT EXISTS FOR (m:Impression) ON (m.shownAt)',
].map((cypher) => ({ cypher, params: {} }));

/** An item's record as returned columns, and as a map. */
const ITEM_COLUMNS = 'i.id AS id, i.title AS title, i.category AS category, i.description AS description, i.tags AS tags, i.available AS available';
const ITEM_MAP = 'id: i.id, title: i.title, category: i.category, description: i.description, tags: i.tags, available: i.available';

/** An `Interaction` node `x` as returned columns, and as a map (`InteractionRow`); an absent `recommendationId` reads as null. */
const INTERACTION_COLUMNS =
  'x.key AS key, x.userId AS userId, x.itemId AS itemId, x.type AS type, x.weight AS weight, x.occurredAt AS occurredAt, x.recommendationId AS recommendationId';
const INTERACTION_MAP =
  'key: x.key, userId: x.userId, itemId: x.itemId, type: x.type, weight: x.weight, occurredAt: x.occurredAt, recommendationId: x.recommendationId';

/**
 * How many of an item's users its `RECENT_USER` relationships keep: its most recent ones under the
 * sampling policy, maintained at write time, so that hop 2 reads at most this many relationships
 * however popular the item is. It serves fan-outs `hop2 < RECENT_USERS_PER_ITEM` (one more is kept
 * because the user being sampled for is left out of their own hop 2); larger ones read the whole
 * adjacency.
 */
export const RECENT_USERS_PER_ITEM = 32;

/** Hop 2 of item `i` for user `u`, from the bounded recent-users list or the whole adjacency. */
function hop2Match(hop2: number): string {
  return hop2 < RECENT_USERS_PER_ITEM ? 'MATCH (i)-[f:RECENT_USER]->(v)' : 'MATCH (v)-[f:INTERACTED]->(i)';
}

/**
 * Sampled 2-hop neighbourhoods under `most-recent-first/v1`, one row per requested id, in order.
 * Each hop is a scoped `CALL` subquery with its own ORDER BY … LIMIT. Hop 2 reads an item's
 * `RECENT_USER` relationships (at most `RECENT_USERS_PER_ITEM`), not its whole adjacency, whenever
 * the fan-out allows: a super-node then costs no more than any other item. Patterns carry no labels
 * the relationship types already imply (`INTERACTED` runs from a User to an Item, `RECENT_USER`
 * from an Item to a User): a label check is a database hit per row.
 */
export function neighbourhoodsQuery(userIds: readonly string[], hop1: number, hop2: number): CypherQuery {
  return {
    cypher: `UNWIND $userIds AS userId
OPTIONAL MATCH (u:User {id: userId})
CALL (u) {
  MATCH (u)-[e:INTERACTED]->(i)
  WITH u, i, e
  ORDER BY e.lastAt DESC, i.sortKey ASC
  LIMIT $hop1
  CALL (u, i) {
    ${hop2Match(hop2)}
    WHERE v <> u
    WITH v, f
    ORDER BY f.lastAt DESC, v.sortKey ASC
    LIMIT $hop2
    RETURN collect({userId: v.id, weight: f.weight, lastAt: f.lastAt}) AS coUsers
  }
  RETURN collect({${ITEM_MAP}, type: e.type, weight: e.weight, lastAt: e.lastAt, coUsers: coUsers}) AS items
}
CALL (u) {
  MATCH (u)-[:INTERACTED]->(i)
  RETURN collect(i.id) AS interactedItemIds
}
RETURN userId, u IS NOT NULL AS userExists, items, interactedItemIds`,
    params: { userIds, hop1: int(hop1), hop2: int(hop2) },
  };
}

/** Up to `limit` merged edges stored before edges carried their strongest interaction type. */
export function untypedEdgesQuery(limit: number): CypherQuery {
  return {
    cypher: `MATCH (u:User)-[e:INTERACTED]->(i)
WHERE e.type IS NULL
RETURN u.id AS userId, i.id AS itemId
LIMIT $limit`,
    params: { limit: int(limit) },
  };
}

/** Labels the given edges with the strongest type among their interactions. */
export function typeEdgesQuery(edges: readonly { userId: string; itemId: string }[]): CypherQuery {
  return {
    cypher: `UNWIND $edges AS edge
MATCH (u:User {id: edge.userId})-[e:INTERACTED]->(i:Item {id: edge.itemId})
CALL (u, i) {
  OPTIONAL MATCH (x:Interaction {userId: u.id})
  WHERE x.itemId = i.id
  WITH x
  ORDER BY ${typeStrengthExpression('x.type')} DESC
  LIMIT 1
  RETURN coalesce(x.type, 'VIEW') AS type
}
SET e.type = type`,
    params: { edges },
  };
}

/** Each item's `limit` most recent users, from its recent-users list whenever that holds enough. */
export function itemUsersQuery(itemIds: readonly string[], limit: number): CypherQuery {
  const match = limit <= RECENT_USERS_PER_ITEM ? 'MATCH (i)-[f:RECENT_USER]->(v)' : 'MATCH (v)-[f:INTERACTED]->(i)';
  return {
    cypher: `UNWIND $itemIds AS itemId
OPTIONAL MATCH (i:Item {id: itemId})
CALL (i) {
  ${match}
  WITH v, f
  ORDER BY f.lastAt DESC, v.sortKey ASC
  LIMIT $limit
  RETURN collect({userId: v.id, weight: f.weight, lastAt: f.lastAt}) AS users
}
RETURN itemId, users`,
    params: { itemIds, limit: int(limit) },
  };
}

/** Keeps the `RECENT_USERS_PER_ITEM` most recent of item `t`'s `RECENT_USER` relationships. */
const TRIM_RECENT_USERS = `CALL (t) {
    MATCH (t)-[r:RECENT_USER]->(v:User)
    WITH r, v
    ORDER BY r.lastAt DESC, v.sortKey ASC
    SKIP $recentUsers
    DELETE r
  }`;

/** Rebuilds item `t`'s `RECENT_USER` relationships from its whole adjacency. */
const REBUILD_RECENT_USERS = `CALL (t) {
    MATCH (t)-[r:RECENT_USER]->(:User)
    DELETE r
  }
  CALL (t) {
    MATCH (v:User)-[f:INTERACTED]->(t)
    WITH v, f
    ORDER BY f.lastAt DESC, v.sortKey ASC
    LIMIT $recentUsers
    CREATE (t)-[:RECENT_USER {weight: f.weight, lastAt: f.lastAt}]->(v)
  }`;

export function itemsQuery(ids: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $ids AS id
OPTIONAL MATCH (i:Item {id: id})
RETURN id, i.title AS title, i.category AS category, i.description AS description, i.tags AS tags, i.available AS available, i IS NOT NULL AS found`,
    params: { ids },
  };
}

export function usersQuery(ids: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $ids AS id
OPTIONAL MATCH (u:User {id: id})
RETURN id, u IS NOT NULL AS found, coalesce(u.interactionCount, 0) AS interactionCount`,
    params: { ids },
  };
}

export function recentInteractionsQuery(userIds: readonly string[], limit: number): CypherQuery {
  return {
    cypher: `UNWIND $userIds AS userId
CALL (userId) {
  MATCH (x:Interaction {userId: userId})
  WITH x
  ORDER BY x.occurredAt DESC, x.seq DESC
  LIMIT $limit
  RETURN collect({${INTERACTION_MAP}}) AS interactions
}
RETURN userId, interactions`,
    params: { userIds, limit: int(limit) },
  };
}

/** Up to `limit` interactions recorded after sequence number `afterSeq`, in recording order (the `interaction_seq` index). */
export function interactionsPageQuery(afterSeq: number, limit: number): CypherQuery {
  return {
    cypher: `MATCH (x:Interaction)
WHERE x.seq > $afterSeq
RETURN x.seq AS seq, ${INTERACTION_COLUMNS}
ORDER BY x.seq ASC
LIMIT $limit`,
    params: { afterSeq: int(afterSeq), limit: int(limit) },
  };
}

export function listUsersQuery(afterId: string, limit: number): CypherQuery {
  return {
    cypher: `MATCH (u:User)
WHERE u.sortKey > $afterKey
RETURN u.id AS id
ORDER BY u.sortKey ASC
LIMIT $limit`,
    params: { afterKey: idSortKey(afterId), limit: int(limit) },
  };
}

export function listItemsQuery(afterId: string, limit: number, category: string | null): CypherQuery {
  const inCategory = category === null ? '' : 'AND i.category = $category\n';
  return {
    cypher: `MATCH (i:Item)
WHERE i.sortKey > $afterKey
${inCategory}RETURN ${ITEM_COLUMNS}
ORDER BY i.sortKey ASC
LIMIT $limit`,
    params: { afterKey: idSortKey(afterId), limit: int(limit), ...(category === null ? {} : { category }) },
  };
}

export function categoriesQuery(): CypherQuery {
  return {
    cypher: `MATCH (i:Item)
WHERE i.category IS NOT NULL
RETURN DISTINCT i.category AS category
ORDER BY category ASC`,
    params: {},
  };
}

export function popularItemsQuery(
  limit: number,
  includeCategories: readonly string[] | null,
  excludeCategories: readonly string[],
  excludeItemIds: readonly string[],
): CypherQuery {
  return {
    cypher: `MATCH (i:Item)
WHERE i.available
  AND ($include IS NULL OR i.category IN $include)
  AND (i.category IS NULL OR NOT i.category IN $exclude)
  AND NOT i.id IN $excludeIds
RETURN ${ITEM_COLUMNS}, i.userCount AS userCount
ORDER BY userCount DESC, i.sortKey ASC
LIMIT $limit`,
    params: { include: includeCategories, exclude: excludeCategories, excludeIds: excludeItemIds, limit: int(limit) },
  };
}

/** Ids among `itemIds` that are not in the catalogue. */
export function unknownItemsQuery(itemIds: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $itemIds AS id
OPTIONAL MATCH (i:Item {id: id})
WITH id, i
WHERE i IS NULL
RETURN collect(id) AS unknown`,
    params: { itemIds },
  };
}

/** Interactions already recorded under any of `keys` (the idempotency check of a write). */
export function interactionsByKeyQuery(keys: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $keys AS key
MATCH (x:Interaction {key: key})
RETURN ${INTERACTION_COLUMNS}`,
    params: { keys },
  };
}

export interface InteractionRow {
  readonly key: string | null;
  readonly userId: string;
  readonly itemId: string;
  readonly type: string;
  readonly weight: number;
  readonly occurredAt: number;
  readonly recommendationId: string | null;
}

/**
 * Appends `rows` (already known to be new) to the event log and folds them into the merged
 * `INTERACTED` edges exactly as the embedded store does: weight summed in order, latest time kept,
 * the item's distinct-user count raised when an edge is first created. `seq` comes from one
 * counter node so that ties on `occurredAt` read back in recording order. Each edge's copy among its
 * item's `RECENT_USER` relationships is updated (an edge only ever moves up the policy's order, so
 * the item's new most recent users are among its old ones and this edge), then each touched item
 * keeps its `RECENT_USERS_PER_ITEM` most recent.
 */
export function recordInteractionsQuery(rows: readonly InteractionRow[], now: number): CypherQuery {
  return {
    cypher: `MERGE (s:Sequence {name: 'interaction'})
ON CREATE SET s.value = 0
WITH s, s.value AS base
SET s.value = base + size($rows)
WITH base
UNWIND range(0, size($rows) - 1) AS ordinal
WITH base, ordinal, $rows[ordinal] AS row
MATCH (i:Item {id: row.itemId})
MERGE (u:User {id: row.userId})
ON CREATE SET u.createdAt = $now, u.interactionCount = 0, u.sortKey = row.userSortKey
SET u.interactionCount = u.interactionCount + 1
CREATE (x:Interaction {key: row.key, userId: row.userId, itemId: row.itemId, type: row.type, weight: row.weight, occurredAt: row.occurredAt, recommendationId: row.recommendationId, seq: base + ordinal})
MERGE (u)-[e:INTERACTED]->(i)
ON CREATE SET e.weight = 0.0, e.lastAt = row.occurredAt, e.interactionCount = 0, e.type = row.type, i.userCount = i.userCount + 1
SET e.weight = e.weight + row.weight,
    e.lastAt = CASE WHEN row.occurredAt > e.lastAt THEN row.occurredAt ELSE e.lastAt END,
    e.interactionCount = e.interactionCount + 1,
    e.type = CASE WHEN ${typeStrengthExpression('row.type')} > ${typeStrengthExpression('e.type')} THEN row.type ELSE e.type END
MERGE (i)-[r:RECENT_USER]->(u)
SET r.weight = e.weight, r.lastAt = e.lastAt
WITH collect(DISTINCT i) AS touched, count(x) AS recorded
CALL (touched) {
  UNWIND touched AS t
  ${TRIM_RECENT_USERS}
}
RETURN recorded`,
    params: {
      rows: rows.map((r) => ({ ...r, occurredAt: int(r.occurredAt), userSortKey: idSortKey(r.userId) })),
      now: int(now),
      recentUsers: int(RECENT_USERS_PER_ITEM),
    },
  };
}

/**
 * Takes the write lock of the catalogue's revision counter first thing in a transaction that writes
 * items, and returns the revision: item writes run one at a time, each reading what is stored and
 * numbering its changes under the lock, and commit in revision order. `s.value + 0`, not
 * `s.value`: Cypher locks before reading only a property its SET reads to compute a new value;
 * `SET s.value = s.value` took no lock and wrote back a stale value under concurrent writers.
 */
export const lockCatalogueQuery: CypherQuery = {
  cypher: `MERGE (s:Sequence {name: 'catalogue'})
ON CREATE SET s.value = 0
SET s.value = s.value + 0
RETURN s.value AS revision`,
  params: {},
};

/**
 * The write revision (`GraphStore.writeRevision`): the sum of the counters every write already
 * moves in its own transaction, under the lock it already takes — the interaction sequence (moved
 * by each recorded interaction, never back), its `erasures` (moved by each erasure, under the same
 * lock) and the catalogue's revision. No counter of its own, so no write waits for another one:
 * one read of at most two nodes by the `sequence_name` constraint's index.
 */
export const writeRevisionQuery: CypherQuery = {
  cypher: `MATCH (s:Sequence)
WHERE s.name IN ['interaction', 'catalogue']
RETURN sum(s.value + coalesce(s.erasures, 0)) AS revision`,
  params: {},
};

export const catalogueRevisionQuery: CypherQuery = {
  cypher: `OPTIONAL MATCH (s:Sequence {name: 'catalogue'})
RETURN coalesce(s.value, 0) AS revision`,
  params: {},
};

export interface ItemWrite {
  readonly item: ItemRecord;
  readonly revision: number;
}

/**
 * Writes whole item records, each stamped with its revision, and moves the catalogue's counter to
 * the last: under the lock `lockCatalogueQuery` took in the same transaction.
 */
export function writeItemsQuery(writes: readonly ItemWrite[]): CypherQuery {
  return {
    cypher: `MATCH (s:Sequence {name: 'catalogue'})
SET s.value = $revision
WITH s
UNWIND $items AS item
MERGE (i:Item {id: item.id})
ON CREATE SET i.userCount = 0
SET i.title = item.title, i.category = item.category, i.description = item.description, i.tags = item.tags,
    i.available = item.available, i.revision = item.revision, i.sortKey = item.sortKey`,
    params: {
      items: writes.map(({ item, revision }) => ({ ...item, revision: int(revision), sortKey: idSortKey(item.id) })),
      revision: int(Math.max(...writes.map((w) => w.revision))),
    },
  };
}

/** At most `limit` items changed after `revision`, in revision order. */
export function itemsChangedSinceQuery(revision: number, limit: number): CypherQuery {
  return {
    cypher: `MATCH (i:Item)
WHERE i.revision > $revision
RETURN ${ITEM_COLUMNS}, i.revision AS revision
ORDER BY i.revision ASC
LIMIT $limit`,
    params: { revision: int(revision), limit: int(limit) },
  };
}

/** Up to `limit` items stored before revisions existed, with what they hold, in id order. */
export function itemsWithoutRevisionQuery(limit: number): CypherQuery {
  return {
    cypher: `MATCH (i:Item)
WHERE i.revision IS NULL
RETURN ${ITEM_COLUMNS}
ORDER BY i.sortKey ASC
LIMIT $limit`,
    params: { limit: int(limit) },
  };
}

/** Which of `keyHashes` (keyed hashes of interaction ids) belong to erased interactions. */
export function erasedKeyHashesQuery(keyHashes: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $keyHashes AS keyHash
MATCH (e:ErasedInteraction {keyHash: keyHash})
RETURN collect(keyHash) AS erased`,
    params: { keyHashes },
  };
}

/** The idempotency ids of a user's recorded interactions, to hash before they are erased. */
export function userInteractionKeysQuery(userId: string): CypherQuery {
  return {
    cypher: `MATCH (x:Interaction {userId: $userId})
WHERE x.key IS NOT NULL
RETURN collect(x.key) AS keys`,
    params: { userId },
  };
}

/**
 * Erases a user: their merged edges (lowering each item's distinct-user count), their event log,
 * the impressions served to them and the user node, leaving `erasedKeyHashes` (keyed hashes of their interaction ids) as
 * `ErasedInteraction` nodes, and counts the erasure on the interaction sequence (locked first by
 * `lockInteractionWritesQuery`), which moves the write revision. Returns one row when the user
 * existed, none otherwise.
 */
export function deleteUserQuery(userId: string, erasedKeyHashes: readonly string[]): CypherQuery {
  return {
    cypher: `MATCH (u:User {id: $userId})
CALL () {
  UNWIND $erasedKeyHashes AS keyHash
  MERGE (:ErasedInteraction {keyHash: keyHash})
}
CALL (u) {
  OPTIONAL MATCH (t:Item)-[:RECENT_USER]->(u)
  RETURN collect(t) AS stale
}
CALL (u) {
  MATCH (u)-[e:INTERACTED]->(i:Item)
  SET i.userCount = i.userCount - 1
  DELETE e
}
CALL (u) {
  MATCH (x:Interaction {userId: u.id})
  DELETE x
}
WITH u, stale, u.interactionCount AS interactionCount
DETACH DELETE u
WITH stale, interactionCount
MATCH (s:Sequence {name: 'interaction'})
SET s.erasures = coalesce(s.erasures, 0) + 1
WITH stale, interactionCount
CALL (stale) {
  UNWIND stale AS t
  ${REBUILD_RECENT_USERS}
}
RETURN interactionCount`,
    params: { userId, erasedKeyHashes, recentUsers: int(RECENT_USERS_PER_ITEM) },
  };
}

/**
 * Erases the impressions served to a user id, whether or not a `User` holds it: a user who was
 * recommended to (the popularity fallback) but never interacted has impressions and no node.
 */
export function deleteImpressionsQuery(userId: string): CypherQuery {
  return { cypher: 'MATCH (m:Impression {userId: $userId}) DELETE m', params: { userId } };
}

/**
 * Keeps impressions: one `Impression` node per served item, keyed by (`recommendationId`, `rank`)
 * (the `impression_rank` constraint). A key already kept, by an earlier batch or earlier in this
 * one, is left as it was (`MERGE` … `ON CREATE`), so a retried batch writes nothing twice and a kept
 * list's later pages add their ranks to the same answer.
 */
export function recordImpressionsQuery(impressions: readonly Impression[]): CypherQuery {
  return {
    cypher: `UNWIND $rows AS row
MERGE (m:Impression {recommendationId: row.recommendationId, rank: row.rank})
ON CREATE SET m.itemId = row.itemId, m.userId = row.userId, m.surface = row.surface, m.experiment = row.experiment,
    m.variant = row.variant, m.modelVersion = row.modelVersion, m.shownAt = row.shownAt`,
    params: {
      rows: impressions.flatMap(({ recommendationId, userId, surface, experiment, variant, modelVersion, shownAt, items }) =>
        items.map(({ itemId, rank }) => ({
          recommendationId,
          rank: int(rank),
          itemId,
          userId,
          surface,
          experiment,
          variant,
          modelVersion,
          shownAt: int(shownAt.getTime()),
        })),
      ),
    },
  };
}

/**
 * Impressions shown in [`since`, `until`) (epoch ms; null: unbounded, the `impression_shown_at`
 * index otherwise) grouped by experiment, variant, model version and surface, a null experiment or
 * variant being a group of its own. Per impression one scoped subquery reads the interactions that
 * name its answer and item (the `interaction_recommendation` index), of its user unless it was
 * served to nobody: clicked when there is one, converted when one has a conversion type, each
 * impression counted once. Groups come in the embedded store's order (nulls first).
 */
export function feedbackCountsQuery(since: number | null, until: number | null, conversionTypes: readonly string[]): CypherQuery {
  const bounds = [...(since === null ? [] : ['m.shownAt >= $since']), ...(until === null ? [] : ['m.shownAt < $until'])];
  return {
    cypher: `MATCH (m:Impression)
${bounds.length === 0 ? '' : `WHERE ${bounds.join(' AND ')}\n`}CALL (m) {
  MATCH (x:Interaction {recommendationId: m.recommendationId, itemId: m.itemId})
  WHERE m.userId IS NULL OR x.userId = m.userId
  RETURN count(x) > 0 AS clicked, count(CASE WHEN x.type IN $conversionTypes THEN 1 END) > 0 AS converted
}
WITH m.experiment AS experiment, m.variant AS variant, m.modelVersion AS modelVersion, m.surface AS surface,
    count(DISTINCT m.recommendationId) AS answers, count(m) AS impressions,
    sum(CASE WHEN clicked THEN 1 ELSE 0 END) AS clicks, sum(CASE WHEN converted THEN 1 ELSE 0 END) AS conversions
RETURN experiment, variant, modelVersion, surface, answers, impressions, clicks, conversions
ORDER BY experiment IS NOT NULL, experiment, variant IS NOT NULL, variant, modelVersion, surface`,
    params: {
      ...(since === null ? {} : { since: int(since) }),
      ...(until === null ? {} : { until: int(until) }),
      conversionTypes,
    },
  };
}

/** Up to `limit` ids of items with users but no `RECENT_USER` list yet (stored before it existed). */
export function itemsWithoutRecentUsersQuery(limit: number): CypherQuery {
  return {
    cypher: `MATCH (i:Item)
WHERE EXISTS { (:User)-[:INTERACTED]->(i) } AND NOT EXISTS { (i)-[:RECENT_USER]->(:User) }
RETURN i.id AS id
LIMIT $limit`,
    params: { limit: int(limit) },
  };
}

/** Rebuilds these items' `RECENT_USER` relationships from their whole adjacency. */
export function rebuildRecentUsersQuery(itemIds: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $itemIds AS id
MATCH (t:Item {id: id})
${REBUILD_RECENT_USERS}`,
    params: { itemIds, recentUsers: int(RECENT_USERS_PER_ITEM) },
  };
}

/** Up to `limit` ids of users or items stored before they had a `sortKey`. */
export function withoutSortKeyQuery(label: 'User' | 'Item', limit: number): CypherQuery {
  return {
    cypher: `MATCH (n:${label})
WHERE n.sortKey IS NULL
RETURN n.id AS id
LIMIT $limit`,
    params: { limit: int(limit) },
  };
}

/** Gives the users or items with these ids their `sortKey`. */
export function setSortKeysQuery(label: 'User' | 'Item', ids: readonly string[]): CypherQuery {
  return {
    cypher: `UNWIND $rows AS row
MATCH (n:${label} {id: row.id})
SET n.sortKey = row.sortKey`,
    params: { rows: ids.map((id) => ({ id, sortKey: idSortKey(id) })) },
  };
}

/**
 * Takes the write lock of the interaction counter first thing in a transaction that records or
 * erases interactions, so that those run one at a time: a replay cannot read "not erased" while an
 * erasure of its user is under way and write after it (and an erasure hashes every key recorded
 * before it). Recording already takes this lock when it appends; taking it first extends it to the
 * checks before. `+ 0` as in `lockCatalogueQuery`: `SET s.value = s.value` took no lock.
 */
export const lockInteractionWritesQuery: CypherQuery = {
  cypher: `MERGE (s:Sequence {name: 'interaction'})
ON CREATE SET s.value = 0
SET s.value = s.value + 0`,
  params: {},
};

export const anyInteractionQuery: CypherQuery = {
  cypher: 'RETURN EXISTS { MATCH (:User)-[:INTERACTED]->(:Item) } AS nonEmpty',
  params: {},
};

export const pingQuery: CypherQuery = { cypher: 'RETURN 1 AS ok', params: {} };
