import type Database from 'better-sqlite3';

/**
 * Tables of the embedded store. `interactions` is the event log; `edges` merges a user's repeated
 * interactions with one item (summed weight, latest time, strongest type), which is what sampling
 * reads. The `edges_by_user_recent_typed` and `edges_by_item_recent_covering` indexes serve the
 * most-recent-first sampling of hop 1 and hop 2 directly, without touching the table. Each item
 * carries the catalogue revision of its last change (unique; the catalogue's revision is their
 * maximum) and its tags as a JSON array.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  category TEXT,
  user_count INTEGER NOT NULL DEFAULT 0,
  description TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  available INTEGER NOT NULL DEFAULT 1,
  revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_category ON items (category, id);
CREATE INDEX IF NOT EXISTS items_by_popularity ON items (user_count DESC, id);
CREATE UNIQUE INDEX IF NOT EXISTS items_by_revision ON items (revision);

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
  occurred_at INTEGER NOT NULL,
  recommendation_id TEXT
);
CREATE INDEX IF NOT EXISTS interactions_by_user_recent ON interactions (user_id, occurred_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS interactions_by_recommendation ON interactions (recommendation_id, item_id) WHERE recommendation_id IS NOT NULL;

-- One row per served answer (or page of a kept list, keyed by its first rank): its items as a JSON
-- array of [item_id, rank], written in batches off the request path. One row per answer rather than
-- per item keeps the constant stream of writes small; the rare report expands them (json_each).
CREATE TABLE IF NOT EXISTS impressions (
  recommendation_id TEXT NOT NULL,
  first_rank INTEGER NOT NULL,
  items TEXT NOT NULL,
  user_id TEXT,
  surface TEXT NOT NULL,
  experiment TEXT,
  variant TEXT,
  model_version TEXT NOT NULL,
  shown_at INTEGER NOT NULL,
  PRIMARY KEY (recommendation_id, first_rank)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS impressions_by_user ON impressions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS impressions_by_time ON impressions (shown_at);

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
-- The write revision (GraphStore.writeRevision): one row, bumped by every write that changes what a
-- read returns, in that write's transaction. SQLite runs one writer at a time, so it costs no concurrency.
CREATE TABLE IF NOT EXISTS write_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
-- Keyed hashes of erased interactions' idempotency ids (erased-keys.ts): a replay is refused, yet the
-- ids themselves are gone.
CREATE TABLE IF NOT EXISTS erased_interaction_keys (
  key_hash TEXT PRIMARY KEY
) WITHOUT ROWID;
-- Their predecessors lacked \`weight\`, so every sampled edge cost a second lookup in the table.
DROP INDEX IF EXISTS edges_by_user_recent;
DROP INDEX IF EXISTS edges_by_item_recent;
-- Hop 1's index gained the edge's type, which its predecessor lacked.
DROP INDEX IF EXISTS edges_by_user_recent_covering;
CREATE INDEX IF NOT EXISTS edges_by_user_recent_typed ON edges (user_id, last_at DESC, item_id, weight, type);
`;

/** Columns `items` gained after files were first written, with what older rows get. */
const ADDED_ITEM_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['description', 'description TEXT'],
  ['tags', "tags TEXT NOT NULL DEFAULT '[]'"],
  ['available', 'available INTEGER NOT NULL DEFAULT 1'],
  ['revision', 'revision INTEGER NOT NULL DEFAULT 0'],
];

/** Older items get distinct revisions in id order, so that following the catalogue from 0 lists them too. */
const NUMBER_OLD_ITEMS = `UPDATE items SET revision = numbered.revision
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS revision FROM items) AS numbered
  WHERE items.id = numbered.id`;

/** Columns `interactions` gained after files were first written. */
const ADDED_INTERACTION_COLUMNS: readonly (readonly [name: string, definition: string])[] = [['recommendation_id', 'recommendation_id TEXT']];

const missingColumns = (db: Database.Database, table: string, added: typeof ADDED_ITEM_COLUMNS) => {
  const present = columnsOf(db, table);
  // No table yet: SCHEMA_SQL creates it whole.
  return present.size === 0 ? [] : added.filter(([name]) => !present.has(name));
};
const missingItemColumns = (db: Database.Database) => missingColumns(db, 'items', ADDED_ITEM_COLUMNS);
const missingInteractionColumns = (db: Database.Database) => missingColumns(db, 'interactions', ADDED_INTERACTION_COLUMNS);

const columnsOf = (db: Database.Database, table: string) =>
  new Set(db.prepare<[string], string>('SELECT name FROM pragma_table_info(?)').pluck().all(table));

/** Edges of files from before they carried their strongest interaction type (an existing table without the column). */
const edgesLackType = (db: Database.Database) => {
  const present = columnsOf(db, 'edges');
  return present.size > 0 && !present.has('type');
};

/** Gives every edge the strongest type among its interactions. */
const TYPE_OLD_EDGES = (strength: (column: string) => string) => `
ALTER TABLE edges ADD COLUMN type TEXT NOT NULL DEFAULT 'VIEW';
UPDATE edges SET type = (
  SELECT x.type FROM interactions x WHERE x.user_id = edges.user_id AND x.item_id = edges.item_id
  ORDER BY ${strength('x.type')} DESC LIMIT 1
) WHERE EXISTS (SELECT 1 FROM interactions x WHERE x.user_id = edges.user_id AND x.item_id = edges.item_id);`;

/**
 * Brings a file of any earlier schema up to date, then creates what is missing. A file already up
 * to date is only read (so a write-protected one still opens); a migration takes the write lock and
 * checks again, as another process may be migrating the same file.
 */
export function applySchema(db: Database.Database, typeStrength: (column: string) => string): void {
  if (missingItemColumns(db).length > 0 || missingInteractionColumns(db).length > 0 || edgesLackType(db)) {
    db.transaction(() => {
      const missing = missingItemColumns(db);
      for (const [, definition] of missing) db.exec(`ALTER TABLE items ADD COLUMN ${definition}`);
      for (const [, definition] of missingInteractionColumns(db)) db.exec(`ALTER TABLE interactions ADD COLUMN ${definition}`);
      if (missing.some(([name]) => name === 'revision')) db.exec(NUMBER_OLD_ITEMS);
      if (edgesLackType(db)) db.exec(TYPE_OLD_EDGES(typeStrength));
    }).immediate();
  }
  db.exec(SCHEMA_SQL);
}
