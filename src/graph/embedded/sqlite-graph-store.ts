import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type {
  CoUserNeighbour,
  CatalogueChanges,
  Fanouts,
  FeedbackCounts,
  FeedbackQuery,
  GraphStore,
  Impression,
  InteractionRecord,
  InteractionsPage,
  InteractionsPageRequest,
  InteractionType,
  ItemNeighbour,
  ItemRecord,
  Neighbourhood,
  NewInteraction,
  NewItem,
  Page,
  PageRequest,
  PopularItem,
  PopularItemsQuery,
  RecommendationSurface,
  RecordInteractionsResult,
  UpsertItemsResult,
  UserDeletion,
  UserRef,
} from '../store.js';
import { checkRetry, ErasedInteractionsError, GraphStoreUnavailableError, UnknownItemsError } from '../store.js';
import { DEVELOPMENT_ERASURE_SECRET, erasedKeyHash, type ErasedKeyHash } from '../erased-keys.js';
import { decodeInteractionCursor, encodeInteractionCursor } from '../interaction-cursor.js';
import { typeStrengthExpression } from '../interaction-weights.js';
import { planItemUpsert } from '../item-upsert.js';
import { ReadCache, type Hop1Edge, type UserEdges } from './read-cache.js';
import { applySchema } from './schema.js';

export interface EmbeddedStoreOptions {
  /** Items whose record and most recent co-users are kept in memory between reads (0: none). */
  readonly cacheItems: number;
  /** Users whose most recent edges and interacted items are kept in memory between reads (0: none). */
  readonly cacheUsers: number;
  /** How long a write waits (without blocking the event loop) for another connection's write lock before failing as unavailable. */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** About 1.5 KB per item at the demo model's fan-outs: some 30 MB at most. */
export const DEFAULT_CACHE_ITEMS = 20_000;
/** About 4 KB per user at the demo model's fan-outs (measured on the demo data): some 40 MB at most. */
export const DEFAULT_CACHE_USERS = 10_000;

interface InteractionRow {
  key: string | null;
  user_id: string;
  item_id: string;
  type: InteractionType;
  weight: number;
  occurred_at: number;
  recommendation_id: string | null;
}

interface FeedbackRow {
  experiment: string | null;
  variant: string | null;
  model_version: string;
  surface: RecommendationSurface;
  answers: number;
  impressions: number;
  clicks: number;
  conversions: number;
}

const INTERACTION_COLUMNS = 'key, user_id, item_id, type, weight, occurred_at, recommendation_id';

interface ItemRow {
  id: string;
  title: string;
  category: string | null;
  description: string | null;
  /** A JSON array. */
  tags: string;
  available: number;
}

const ITEM_COLUMNS = 'id, title, category, description, tags, available';

const toItem = (row: ItemRow): ItemRecord => ({
  id: row.id,
  title: row.title,
  category: row.category,
  description: row.description,
  tags: JSON.parse(row.tags) as string[],
  available: row.available === 1,
});

const toCoUser = (row: { user_id: string; weight: number; last_at: number }): CoUserNeighbour => ({
  userId: row.user_id,
  weight: row.weight,
  lastAt: new Date(row.last_at),
});

const toInteraction = (row: InteractionRow): InteractionRecord => ({
  id: row.key,
  userId: row.user_id,
  itemId: row.item_id,
  type: row.type,
  weight: row.weight,
  occurredAt: new Date(row.occurred_at),
  recommendationId: row.recommendation_id,
});

/**
 * The embedded default: SQLite through better-sqlite3, in WAL mode with `synchronous=FULL`, so an
 * acknowledged write survives `kill -9` and power loss. Sampling is index-backed (see schema.ts).
 * `secure_delete` zeroes what a delete frees, and an erasure checkpoints and truncates the WAL, so
 * an erased user's ids are gone from the files once `deleteUser` returns.
 */
export class SqliteGraphStore implements GraphStore {
  private readonly path: string;
  private readonly busyTimeoutMs: number;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly cache: ReadCache;
  private readonly erasedKeyHash: ErasedKeyHash;

  constructor(
    path: string,
    options: EmbeddedStoreOptions = { cacheItems: DEFAULT_CACHE_ITEMS, cacheUsers: DEFAULT_CACHE_USERS },
    erasureSecret = DEVELOPMENT_ERASURE_SECRET,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    // Reads rarely wait (WAL); writes retry asynchronously instead, see `whenUnlocked`.
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    applySchema(this.db, typeStrengthExpression);
    this.statements = this.prepare();
    this.cache = new ReadCache({ items: options.cacheItems, users: options.cacheUsers });
    this.erasedKeyHash = erasedKeyHash(erasureSecret);
  }

  private prepare() {
    const db = this.db;
    return {
      hop1: db.prepare<[string, number], Hop1Edge>(
        `SELECT item_id, weight, last_at, type FROM edges
          WHERE user_id = ?
          ORDER BY last_at DESC, item_id ASC
          LIMIT ?`,
      ),
      // The root user is dropped in code, so one read of an item serves every root user.
      coUsers: db.prepare<[string, number], { user_id: string; weight: number; last_at: number }>(
        `SELECT user_id, weight, last_at FROM edges
          WHERE item_id = ?
          ORDER BY last_at DESC, user_id ASC
          LIMIT ?`,
      ),
      // Changes exactly when another connection has committed to the file.
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      interactedItems: db.prepare<[string], string>('SELECT item_id FROM edges WHERE user_id = ?').pluck(),
      user: db.prepare<[string], { id: string; interaction_count: number }>(
        'SELECT id, interaction_count FROM users WHERE id = ?',
      ),
      item: db.prepare<[string], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE id = ?`),
      recent: db.prepare<[string, number], InteractionRow>(
        `SELECT ${INTERACTION_COLUMNS} FROM interactions
          WHERE user_id = ? ORDER BY occurred_at DESC, seq DESC LIMIT ?`,
      ),
      // The primary key: recording order, read straight off the table's b-tree.
      interactionsAfter: db.prepare<[number, number], InteractionRow & { seq: number }>(
        `SELECT seq, ${INTERACTION_COLUMNS} FROM interactions
          WHERE seq > ? ORDER BY seq LIMIT ?`,
      ),
      interactionByKey: db.prepare<[string], InteractionRow>(
        `SELECT ${INTERACTION_COLUMNS} FROM interactions WHERE key = ?`,
      ),
      listUsers: db.prepare<[string, number], { id: string }>(
        'SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?',
      ),
      listItems: db.prepare<[string, number], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE id > ? ORDER BY id LIMIT ?`),
      listItemsInCategory: db.prepare<[string, string, number], ItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM items WHERE category = ? AND id > ? ORDER BY id LIMIT ?`,
      ),
      itemsChangedSince: db.prepare<[number, number], ItemRow & { revision: number }>(
        `SELECT ${ITEM_COLUMNS}, revision FROM items WHERE revision > ? ORDER BY revision LIMIT ?`,
      ),
      catalogueRevision: db.prepare<[], number>('SELECT coalesce(max(revision), 0) FROM items').pluck(),
      writeRevision: db.prepare<[], number>('SELECT coalesce(max(value), 0) FROM write_revision').pluck(),
      // No row seeded: the first write creates it, so a write-protected file still opens and reads 0.
      bumpWriteRevision: db.prepare('INSERT INTO write_revision (id, value) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = value + 1'),
      categories: db.prepare<[], { category: string }>(
        'SELECT DISTINCT category FROM items WHERE category IS NOT NULL ORDER BY category',
      ),
      popular: db.prepare<
        [{ include: string | null; exclude: string; excludeIds: string; limit: number }],
        ItemRow & { user_count: number }
      >(
        `SELECT ${ITEM_COLUMNS}, user_count FROM items
          WHERE available = 1
            AND (@include IS NULL OR category IN (SELECT value FROM json_each(@include)))
            AND (category IS NULL OR category NOT IN (SELECT value FROM json_each(@exclude)))
            AND id NOT IN (SELECT value FROM json_each(@excludeIds))
          ORDER BY user_count DESC, id ASC
          LIMIT @limit`,
      ),
      insertUser: db.prepare<[string, number]>(
        'INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      insertInteraction: db.prepare<[string | null, string, string, string, number, number, string | null]>(
        `INSERT INTO interactions (${INTERACTION_COLUMNS})
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      ),
      insertImpression: db.prepare<[string, number, string, string | null, string, string | null, string | null, string, number]>(
        `INSERT INTO impressions (recommendation_id, first_rank, items, user_id, surface, experiment, variant, model_version, shown_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      // An impression is clicked (converted) once however many attributed interactions it led to.
      feedbackCounts: db.prepare<[{ since: number; until: number; conversion: string }], FeedbackRow>(
        `WITH shown AS (
           SELECT i.recommendation_id, i.user_id, i.experiment, i.variant, i.model_version, i.surface,
             json_extract(s.value, '$[0]') AS item_id
           FROM impressions i, json_each(i.items) s
           WHERE i.shown_at >= @since AND i.shown_at < @until
         )
         SELECT experiment, variant, model_version, surface,
            count(DISTINCT recommendation_id) AS answers, count(*) AS impressions,
            sum(EXISTS (SELECT 1 FROM interactions x WHERE x.recommendation_id = shown.recommendation_id AND x.item_id = shown.item_id
              AND (shown.user_id IS NULL OR x.user_id = shown.user_id))) AS clicks,
            sum(EXISTS (SELECT 1 FROM interactions x WHERE x.recommendation_id = shown.recommendation_id AND x.item_id = shown.item_id
              AND (shown.user_id IS NULL OR x.user_id = shown.user_id) AND x.type IN (SELECT value FROM json_each(@conversion)))) AS conversions
          FROM shown
          GROUP BY experiment, variant, model_version, surface
          ORDER BY experiment, variant, model_version, surface`,
      ),
      deleteImpressions: db.prepare<[string]>('DELETE FROM impressions WHERE user_id = ?'),
      countInteraction: db.prepare<[string]>(
        'UPDATE users SET interaction_count = interaction_count + 1 WHERE id = ?',
      ),
      upsertEdge: db.prepare<[string, string, number, number, string], { interaction_count: number }>(
        `INSERT INTO edges (user_id, item_id, weight, last_at, interaction_count, type) VALUES (?, ?, ?, ?, 1, ?)
         ON CONFLICT (user_id, item_id) DO UPDATE SET
           weight = weight + excluded.weight,
           last_at = max(last_at, excluded.last_at),
           interaction_count = interaction_count + 1,
           type = CASE WHEN ${typeStrengthExpression('excluded.type')} > ${typeStrengthExpression('type')} THEN excluded.type ELSE type END
         RETURNING interaction_count`,
      ),
      countItemUser: db.prepare<[string]>('UPDATE items SET user_count = user_count + 1 WHERE id = ?'),
      upsertItem: db.prepare<[Omit<ItemRow, 'id'> & { id: string; revision: number }]>(
        `INSERT INTO items (${ITEM_COLUMNS}, revision) VALUES (@id, @title, @category, @description, @tags, @available, @revision)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, category = excluded.category, description = excluded.description,
           tags = excluded.tags, available = excluded.available, revision = excluded.revision`,
      ),
      anyEdge: db.prepare<[], { one: number }>('SELECT 1 AS one FROM edges LIMIT 1'),
      schemaSize: db.prepare('SELECT count(*) FROM sqlite_schema'),
      // Starts a write transaction, and so fails on a read-only connection, yet changes nothing.
      noOpWrite: db.prepare('DELETE FROM erased_interaction_keys WHERE 0'),
      uncountItemUsers: db.prepare<[string]>(
        'UPDATE items SET user_count = user_count - 1 WHERE id IN (SELECT item_id FROM edges WHERE user_id = ?)',
      ),
      deleteEdges: db.prepare<[string]>('DELETE FROM edges WHERE user_id = ?'),
      deleteInteractions: db.prepare<[string]>('DELETE FROM interactions WHERE user_id = ?'),
      deleteUser: db.prepare<[string]>('DELETE FROM users WHERE id = ?'),
      userKeys: db.prepare<[string], string>('SELECT key FROM interactions WHERE user_id = ? AND key IS NOT NULL').pluck(),
      insertErasedKey: db.prepare<[string]>('INSERT INTO erased_interaction_keys (key_hash) VALUES (?) ON CONFLICT DO NOTHING'),
      isErasedKey: db.prepare<[string], number>('SELECT 1 FROM erased_interaction_keys WHERE key_hash = ?').pluck(),
    };
  }

  async neighbourhoods(userIds: readonly string[], fanouts: Fanouts): Promise<Neighbourhood[]> {
    const s = this.statements;
    const read = this.db.transaction((ids: readonly string[]) => {
      this.cache.sync(s.dataVersion.get()!);
      return ids.map((userId): Neighbourhood => {
        const hop1 = this.cache.userEdges(userId, fanouts.hop1, (id, limit) => this.readUserEdges(id, limit));
        const { interactedItemIds, exists: userExists } = hop1;
        const edges = hop1.edges.length > fanouts.hop1 ? hop1.edges.slice(0, fanouts.hop1) : hop1.edges;
        const items: ItemNeighbour[] = [];
        for (const edge of edges) {
          const item = this.item(edge.item_id);
          if (item === null) continue;
          const coUsers = this.coUsers(edge.item_id, userId, fanouts.hop2);
          items.push({ item, type: edge.type, weight: edge.weight, lastAt: new Date(edge.last_at), coUsers });
        }
        return { userId, userExists, items, interactedItemIds };
      });
    });
    // One read transaction: every user of the batch sees the same snapshot.
    return read(userIds);
  }

  /** Hop 1 of one user: their `limit` most recent edges, every item they interacted with, and whether they exist. */
  private readUserEdges(userId: string, limit: number): UserEdges {
    const s = this.statements;
    const edges = s.hop1.all(userId, limit);
    // Fewer edges than the fan-out: hop 1 holds all of them, no need to read them again.
    const interactedItemIds = new Set(edges.length < limit ? edges.map((e) => e.item_id) : s.interactedItems.all(userId));
    return { edges, interactedItemIds, exists: edges.length > 0 || s.user.get(userId) !== undefined };
  }

  /** Hop 2 of one item: its `fanout` most recent co-users other than `rootUserId`. */
  private coUsers(itemId: string, rootUserId: string, fanout: number): CoUserNeighbour[] {
    // One more than the fan-out, in case the root user is among them.
    const recent = this.cache.coUsers(itemId, fanout + 1, (id, limit) => this.statements.coUsers.all(id, limit).map(toCoUser));
    const sampled: CoUserNeighbour[] = [];
    for (const co of recent) {
      if (sampled.length === fanout) break;
      if (co.userId !== rootUserId) sampled.push(co);
    }
    return sampled;
  }

  async itemUsers(itemIds: readonly string[], limit: number): Promise<CoUserNeighbour[][]> {
    const read = this.db.transaction((ids: readonly string[]) => {
      this.cache.sync(this.statements.dataVersion.get()!);
      return ids.map((id) => this.cache.coUsers(id, limit, (key, n) => this.statements.coUsers.all(key, n).map(toCoUser)).slice(0, limit));
    });
    return read(itemIds);
  }

  private item(id: string): ItemRecord | null {
    return this.cache.item(id, (key) => {
      const row = this.statements.item.get(key);
      return row ? toItem(row) : null;
    });
  }

  async items(ids: readonly string[]): Promise<(ItemRecord | null)[]> {
    const read = this.db.transaction((keys: readonly string[]) => {
      this.cache.sync(this.statements.dataVersion.get()!);
      return keys.map((id) => this.item(id));
    });
    return read(ids);
  }

  async users(ids: readonly string[]): Promise<(UserRef | null)[]> {
    return ids.map((id) => (this.statements.user.get(id) ? { id } : null));
  }

  async interactionCounts(userIds: readonly string[]): Promise<number[]> {
    return userIds.map((id) => this.statements.user.get(id)?.interaction_count ?? 0);
  }

  async recentInteractions(userIds: readonly string[], limit: number): Promise<InteractionRecord[][]> {
    return userIds.map((id) => this.statements.recent.all(id, limit).map(toInteraction));
  }

  async listUsers({ first, afterId }: PageRequest): Promise<Page<UserRef>> {
    const rows = this.statements.listUsers.all(afterId ?? '', first + 1);
    return { records: rows.slice(0, first).map((r) => ({ id: r.id })), hasNextPage: rows.length > first };
  }

  async listItems({
    first,
    afterId,
    category,
  }: PageRequest & { readonly category?: string | null }): Promise<Page<ItemRecord>> {
    const rows =
      category == null
        ? this.statements.listItems.all(afterId ?? '', first + 1)
        : this.statements.listItemsInCategory.all(category, afterId ?? '', first + 1);
    return { records: rows.slice(0, first).map(toItem), hasNextPage: rows.length > first };
  }

  async interactionsPage({ first, after }: InteractionsPageRequest): Promise<InteractionsPage> {
    const rows = this.statements.interactionsAfter.all(decodeInteractionCursor(after), first + 1);
    const records = rows.slice(0, first);
    const last = records.at(-1);
    return {
      records: records.map(toInteraction),
      endCursor: last ? encodeInteractionCursor(last.seq) : (after ?? null),
      hasNextPage: rows.length > first,
    };
  }

  async categories(): Promise<string[]> {
    return this.statements.categories.all().map((r) => r.category);
  }

  async popularItems(query: PopularItemsQuery): Promise<PopularItem[]> {
    const rows = this.statements.popular.all({
      include: query.includeCategories ? JSON.stringify(query.includeCategories) : null,
      exclude: JSON.stringify(query.excludeCategories ?? []),
      excludeIds: JSON.stringify([...(query.excludeItemIds ?? [])]),
      limit: query.limit,
    });
    return rows.map((row) => ({ item: toItem(row), userCount: row.user_count }));
  }

  async recordInteractions(interactions: readonly NewInteraction[]): Promise<RecordInteractionsResult> {
    const s = this.statements;
    const write = this.db.transaction((batch: readonly NewInteraction[]): RecordInteractionsResult => {
      const unknownItems = [...new Set(batch.map((i) => i.itemId))].filter((id) => !s.item.get(id));
      if (unknownItems.length > 0) throw new UnknownItemsError(unknownItems);
      const keys = new Set(batch.flatMap((i) => (i.id == null ? [] : [i.id])));
      const erasedKeys = [...keys].filter((key) => s.isErasedKey.get(this.erasedKeyHash(key)) !== undefined);
      if (erasedKeys.length > 0) throw new ErasedInteractionsError(erasedKeys);
      const now = Date.now();
      let recordedCount = 0;
      const stored = batch.map((interaction): InteractionRecord => {
        const key = interaction.id ?? null;
        const at = interaction.occurredAt.getTime();
        s.insertUser.run(interaction.userId, now);
        this.cache.forgetUser(interaction.userId);
        const inserted = s.insertInteraction.run(
          key,
          interaction.userId,
          interaction.itemId,
          interaction.type,
          interaction.weight,
          at,
          interaction.recommendationId ?? null,
        );
        if (inserted.changes === 0 && key !== null) {
          // A retry of an interaction already recorded: report it as it was stored.
          const stored = toInteraction(s.interactionByKey.get(key)!);
          checkRetry(stored, interaction, key);
          return stored;
        }
        recordedCount += 1;
        s.countInteraction.run(interaction.userId);
        const edge = s.upsertEdge.get(interaction.userId, interaction.itemId, interaction.weight, at, interaction.type);
        this.cache.forgetCoUsers(interaction.itemId);
        if (edge?.interaction_count === 1) s.countItemUser.run(interaction.itemId);
        return { ...interaction, id: key, recommendationId: interaction.recommendationId ?? null };
      });
      if (recordedCount > 0) s.bumpWriteRevision.run();
      const users = [...new Set(batch.map((i) => i.userId))].map((id) => ({ id }));
      return { recordedCount, interactions: stored, users };
    });
    return this.whenUnlocked(() => write.immediate(interactions));
  }

  async upsertItems(items: readonly NewItem[]): Promise<UpsertItemsResult> {
    const s = this.statements;
    const upsert = this.db.transaction((batch: readonly NewItem[]) => {
      // Read past the cache: another connection may have written since this one last read.
      const stored = batch.map(({ id }) => {
        const row = s.item.get(id);
        return row ? toItem(row) : null;
      });
      const plan = planItemUpsert(batch, stored, s.catalogueRevision.get()!);
      for (const { item, revision } of plan.writes) {
        s.upsertItem.run({ ...item, tags: JSON.stringify(item.tags), available: item.available ? 1 : 0, revision });
        this.cache.forgetItem(item.id);
      }
      if (plan.writes.length > 0) s.bumpWriteRevision.run();
      return plan.result;
    });
    return this.whenUnlocked(() => upsert.immediate(items));
  }

  async catalogueRevision(): Promise<number> {
    return this.statements.catalogueRevision.get()!;
  }

  async writeRevision(): Promise<number> {
    return this.statements.writeRevision.get()!;
  }

  async itemsChangedSince(revision: number, limit: number): Promise<CatalogueChanges> {
    const rows = this.statements.itemsChangedSince.all(revision, limit);
    return { items: rows.map(toItem), revision: rows.at(-1)?.revision ?? revision };
  }

  async deleteUser(id: string): Promise<UserDeletion> {
    const s = this.statements;
    const erase = this.db.transaction((userId: string): UserDeletion => {
      // Also for an id no user holds: the popularity fallback is served to ids the store never saw.
      s.deleteImpressions.run(userId);
      const user = s.user.get(userId);
      if (!user) return { deleted: false, interactionCount: 0 };
      for (const itemId of s.interactedItems.all(userId)) this.cache.forgetCoUsers(itemId);
      this.cache.forgetUser(userId);
      for (const key of s.userKeys.all(userId)) s.insertErasedKey.run(this.erasedKeyHash(key));
      s.uncountItemUsers.run(userId);
      s.deleteEdges.run(userId);
      s.deleteInteractions.run(userId);
      s.deleteUser.run(userId);
      s.bumpWriteRevision.run();
      return { deleted: true, interactionCount: user.interaction_count };
    });
    const deletion = await this.whenUnlocked(() => erase.immediate(id));
    // Until checkpointed, the WAL still holds the pages as they were before the erasure. Should
    // readers elsewhere outlast the busy timeout, a later erasure or the close truncates it.
    if (deletion.deleted) {
      await this.whenUnlocked(() => this.truncateWal()).catch((error: unknown) => {
        if (!(error instanceof GraphStoreUnavailableError)) throw error;
      });
    }
    return deletion;
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    const s = this.statements;
    const write = this.db.transaction((batch: readonly Impression[]) => {
      for (const impression of batch) {
        const { recommendationId, userId, surface, experiment, variant, modelVersion } = impression;
        if (impression.items.length === 0) continue;
        const items = JSON.stringify(impression.items.map(({ itemId, rank }) => [itemId, rank]));
        const firstRank = impression.items[0]!.rank;
        s.insertImpression.run(recommendationId, firstRank, items, userId, surface, experiment, variant, modelVersion, impression.shownAt.getTime());
      }
    });
    if (impressions.length > 0) await this.whenUnlocked(() => write.immediate(impressions));
  }

  async feedbackCounts({ since, until, conversionTypes }: FeedbackQuery): Promise<FeedbackCounts[]> {
    const rows = this.statements.feedbackCounts.all({
      since: since?.getTime() ?? Number.MIN_SAFE_INTEGER,
      until: until?.getTime() ?? Number.MAX_SAFE_INTEGER,
      conversion: JSON.stringify(conversionTypes),
    });
    return rows.map((row) => ({
      experiment: row.experiment,
      variant: row.variant,
      modelVersion: row.model_version,
      surface: row.surface,
      answers: row.answers,
      impressions: row.impressions,
      clicks: row.clicks,
      conversions: row.conversions,
    }));
  }

  async isEmpty(): Promise<boolean> {
    return this.statements.anyEdge.get() === undefined;
  }

  /**
   * Reads, then checks that a write could start: the file is writable and the connection is not
   * read-only. Another connection holding the write lock is no failure: reads proceed beside it
   * (WAL) and writes wait for it up to the busy timeout.
   */
  async ping(): Promise<void> {
    this.statements.schemaSize.get();
    if (this.path !== ':memory:') {
      try {
        accessSync(this.path, constants.W_OK);
      } catch (error) {
        throw new Error(`The store file ${this.path} is not writable`, { cause: error });
      }
    }
    try {
      this.withoutWaiting(() => this.statements.noOpWrite.run());
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
  }

  /**
   * Runs a write, retrying it while another connection holds the write lock: better-sqlite3 is
   * synchronous, so SQLite's own busy wait would stall every request, reads included. One that
   * waited the busy timeout out fails as unavailable (it may be retried).
   */
  private async whenUnlocked<T>(write: () => T): Promise<T> {
    const deadline = performance.now() + this.busyTimeoutMs;
    for (let pause = 2; ; pause = Math.min(2 * pause, 100)) {
      try {
        return this.withoutWaiting(write);
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (performance.now() >= deadline) {
          throw new GraphStoreUnavailableError('The embedded store is locked by another writer', { cause: error });
        }
      }
      await sleep(pause);
    }
  }

  private withoutWaiting<T>(run: () => T): T {
    this.db.pragma('busy_timeout = 0');
    try {
      return run();
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private truncateWal(): void {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (result!.busy) throw new WalBusyError();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** A checkpoint that other connections kept from finishing. */
class WalBusyError extends Error {}

const isBusy = (error: unknown): boolean =>
  error instanceof WalBusyError || (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY'));
