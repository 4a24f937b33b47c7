import type Database from 'better-sqlite3';

/**
 * Tables of the embedded store. `interactions` is the event log; `edges` merges a user's repeated
 * interactions with one item (summed weight, latest time), which is what sampling reads. The two
 * `edges_by_*_recent_covering` indexes serve the most-recent-first sampling of hop 1 and hop 2
 * directly, without touching the table. Each item carries the catalogue revision of its last
 * change (unique; the catalogue's revision is their maximum) and its tags as a JSON array.
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
  occurred_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS interactions_by_user_recent ON interactions (user_id, occurred_at DESC, seq DESC);

CREATE TABLE IF NOT EXISTS edges (
  user_id TEXT NOT NULL REFERENCES users (id),
  item_id TEXT NOT NULL REFERENCES items (id),
  weight REAL NOT NULL,
  last_at INTEGER NOT NULL,
  interaction_count INTEGER NOT NULL,
  PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_by_user_recent_covering ON edges (user_id, last_at DESC, item_id, weight);
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

const missingItemColumns = (db: Database.Database) => {
  const present = new Set(db.prepare<[], string>("SELECT name FROM pragma_table_info('items')").pluck().all());
  // No table yet: SCHEMA_SQL creates it whole.
  return present.size === 0 ? [] : ADDED_ITEM_COLUMNS.filter(([name]) => !present.has(name));
};

/**
 * Brings a file of any earlier schema up to date, then creates what is missing. A file already up
 * to date is only read (so a write-protected one still opens); a migration takes the write lock and
 * checks again, as another process may be migrating the same file.
 */
export function applySchema(db: Database.Database): void {
  if (missingItemColumns(db).length > 0) {
    db.transaction(() => {
      const missing = missingItemColumns(db);
      for (const [, definition] of missing) db.exec(`ALTER TABLE items ADD COLUMN ${definition}`);
      if (missing.some(([name]) => name === 'revision')) db.exec(NUMBER_OLD_ITEMS);
    }).immediate();
  }
  db.exec(SCHEMA_SQL);
}
