/**
 * Tables of the embedded store. `interactions` is the event log; `edges` merges a user's repeated
 * interactions with one item (summed weight, latest time, strongest type), which is what sampling
 * reads. The `edges_by_user_recent_typed` and `edges_by_item_recent_covering` indexes serve the
 * most-recent-first sampling of hop 1 and hop 2 directly, without touching the table.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  category TEXT,
  user_count INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_category ON items (category, id);
CREATE INDEX IF NOT EXISTS items_by_popularity ON items (user_count DESC, id);

CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  interaction_count INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS interactions (
  seq INTEGER PRIMARY KEY,
  key TEXT UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id),
  item_id TEXT NOT NULL REFERENCES items (id),
  type TEXT NOT NULL,
  weight REAL NOT NULL,
  occurred_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS interactions_by_user_recent ON interactions (user_id, occurred_at DESC, seq DESC);

CREATE TABLE IF NOT EXISTS edges (
  user_id TEXT NOT NULL REFERENCES users (id),
  item_id TEXT NOT NULL REFERENCES items (id),
  weight REAL NOT NULL,
  last_at INTEGER NOT NULL,
  interaction_count INTEGER NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_by_item_recent_covering ON edges (item_id, last_at DESC, user_id, weight);
-- Keyed hashes of erased interactions' idempotency ids (erased-keys.ts): a replay is refused, yet the
-- ids themselves are gone.
CREATE TABLE IF NOT EXISTS erased_interaction_keys (
  key_hash TEXT PRIMARY KEY
) WITHOUT ROWID;
-- Their predecessors lacked \`weight\`, so every sampled edge cost a second lookup in the table.
DROP INDEX IF EXISTS edges_by_user_recent;
DROP INDEX IF EXISTS edges_by_item_recent;
`;

/**
 * Run after `SCHEMA_SQL` on every open: store files from before the edge's interaction type get the
 * column, filled from their interactions (the strongest type of each edge), then hop 1's covering
 * index with the type in it (its predecessor lacked it).
 */
export const EDGE_TYPE_MIGRATION = (hasTypeColumn: boolean, strength: (column: string) => string) => `
${
  hasTypeColumn
    ? ''
    : `ALTER TABLE edges ADD COLUMN type TEXT NOT NULL DEFAULT 'VIEW';
UPDATE edges SET type = (
  SELECT x.type FROM interactions x WHERE x.user_id = edges.user_id AND x.item_id = edges.item_id
  ORDER BY ${strength('x.type')} DESC LIMIT 1
) WHERE EXISTS (SELECT 1 FROM interactions x WHERE x.user_id = edges.user_id AND x.item_id = edges.item_id);`
}
DROP INDEX IF EXISTS edges_by_user_recent_covering;
CREATE INDEX IF NOT EXISTS edges_by_user_recent_typed ON edges (user_id, last_at DESC, item_id, weight, type);
`;
