import neo4j, { type Driver } from 'neo4j-driver';
import type {
  CatalogueChanges,
  CoUserNeighbour,
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
import { checkRetry, ErasedInteractionsError, UnknownItemsError } from '../store.js';
import { DEVELOPMENT_ERASURE_SECRET, erasedKeyHash, type ErasedKeyHash } from '../erased-keys.js';
import { decodeInteractionCursor, encodeInteractionCursor } from '../interaction-cursor.js';
import { planItemUpsert } from '../item-upsert.js';
import * as cypher from './cypher.js';
import { Neo4jExecutor, type Row, type Transaction } from './executor.js';

/** Connection settings, validated by `src/config.ts`. */
export interface Neo4jOptions {
  /** e.g. `neo4j://host:7687` (routing, for clusters) or `bolt://host:7687` (one server). */
  readonly uri: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly maxConnectionPoolSize: number;
  readonly connectionTimeoutMs: number;
  readonly connectionAcquisitionTimeoutMs: number;
  /** How long the driver keeps retrying a transaction after transient failures. */
  readonly maxTransactionRetryTimeMs: number;
  /** Server-side timeout of one transaction; 0 keeps the server's setting. */
  readonly transactionTimeoutMs: number;
}

/** Users or items given a sort key per transaction when an older database is opened. */
const SORT_KEY_BATCH = 10_000;
/**
 * Rows per transaction when a connect migrates what older versions stored: items whose recent-users
 * lists are first built (a popular item reads its whole adjacency once), edges given their type.
 */
const RECENT_USERS_BATCH = 1000;
/** Items given a revision per transaction when a database from before revisions is opened. */
const REVISION_BATCH = 10_000;

interface EdgeRow {
  readonly weight: number;
  readonly lastAt: number;
}

interface ItemRow {
  readonly id: string;
  readonly title: string;
  readonly category: string | null;
  readonly description: string | null;
  readonly tags: string[] | null;
  readonly available: boolean | null;
}

/** Takes the catalogue's write lock (see `lockCatalogueQuery`) and returns its revision. */
async function lockCatalogue(tx: Transaction): Promise<number> {
  const [row] = await tx.run(cypher.lockCatalogueQuery);
  return row!.revision as number;
}

/** Rows keyed by `column`, re-aligned with `ids`: the answer never depends on the server's row order. */
function alignRows(rows: readonly Row[], column: string, ids: readonly string[]): Row[] {
  const byId = new Map(rows.map((row) => [row[column] as string, row]));
  return ids.map((id) => byId.get(id)!);
}

/** Items stored before these properties existed read as the defaults they are migrated to. */
const toItem = (row: ItemRow): ItemRecord => ({
  id: row.id,
  title: row.title,
  category: row.category ?? null,
  description: row.description ?? null,
  tags: row.tags ?? [],
  available: row.available ?? true,
});

const toInteraction = (row: cypher.InteractionRow): InteractionRecord => ({
  id: row.key ?? null,
  userId: row.userId,
  itemId: row.itemId,
  type: row.type as InteractionType,
  weight: row.weight,
  occurredAt: new Date(row.occurredAt),
  recommendationId: row.recommendationId ?? null,
});

/**
 * The production store: interactions in Neo4j (docs/graph-model.md). All Cypher lives in
 * `cypher.ts`; all driver use in `executor.ts`. Reads run in managed read transactions (routed to
 * readers in a cluster), writes in managed write transactions, each batch one transaction.
 */
export class Neo4jGraphStore implements GraphStore {
  private constructor(
    private readonly driver: Driver,
    private readonly db: Neo4jExecutor,
    private readonly erasedKeyHash: ErasedKeyHash,
  ) {}

  /** Connects, verifies connectivity and creates the constraints and indexes if missing. */
  static async connect(options: Neo4jOptions, erasureSecret = DEVELOPMENT_ERASURE_SECRET): Promise<Neo4jGraphStore> {
    const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      maxConnectionPoolSize: options.maxConnectionPoolSize,
      connectionTimeout: options.connectionTimeoutMs,
      connectionAcquisitionTimeout: options.connectionAcquisitionTimeoutMs,
      maxTransactionRetryTime: options.maxTransactionRetryTimeMs,
      userAgent: 'recograph',
    });
    try {
      await driver.verifyConnectivity({ database: options.database });
      const store = new Neo4jGraphStore(
        driver,
        new Neo4jExecutor(driver, options.database, { timeoutMs: options.transactionTimeoutMs }),
        erasedKeyHash(erasureSecret),
      );
      await store.ensureSchema();
      return store;
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  private async ensureSchema(): Promise<void> {
    for (const statement of cypher.SCHEMA_STATEMENTS) await this.db.executeWrite((tx) => tx.run(statement));
    // Users and items stored before sort keys existed get theirs (id-order.ts).
    for (const label of ['User', 'Item'] as const) {
      for (;;) {
        const missing = await this.db.read(cypher.withoutSortKeyQuery(label, SORT_KEY_BATCH));
        if (missing.length === 0) break;
        await this.db.executeWrite((tx) => tx.run(cypher.setSortKeysQuery(label, missing.map((row) => row.id as string))));
      }
    }
    // Edges stored before they carried their strongest interaction type get it.
    for (;;) {
      const untyped = await this.db.read(cypher.untypedEdgesQuery(RECENT_USERS_BATCH));
      if (untyped.length === 0) break;
      await this.db.executeWrite((tx) => tx.run(cypher.typeEdgesQuery(untyped.map((row) => ({ userId: row.userId as string, itemId: row.itemId as string })))));
    }
    // Items stored before the bounded recent-users lists existed get theirs (docs/graph-model.md).
    for (;;) {
      const stale = await this.db.read(cypher.itemsWithoutRecentUsersQuery(RECENT_USERS_BATCH));
      if (stale.length === 0) break;
      await this.db.executeWrite((tx) => tx.run(cypher.rebuildRecentUsersQuery(stale.map((row) => row.id as string))));
    }
    // Items stored before revisions existed get theirs, and the defaults of the fields added with them.
    for (;;) {
      const stamped = await this.db.executeWrite(async (tx) => {
        const revision = await lockCatalogue(tx);
        const old = (await tx.run(cypher.itemsWithoutRevisionQuery(REVISION_BATCH))).map((row) => toItem(row as unknown as ItemRow));
        if (old.length > 0) await tx.run(cypher.writeItemsQuery(old.map((item, k) => ({ item, revision: revision + k + 1 }))));
        return old.length;
      });
      if (stamped === 0) break;
    }
  }

  async neighbourhoods(userIds: readonly string[], fanouts: Fanouts): Promise<Neighbourhood[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.read(cypher.neighbourhoodsQuery(userIds, fanouts.hop1, fanouts.hop2));
    return alignRows(rows, 'userId', userIds).map((row): Neighbourhood => {
      const items = row.items as (ItemRow & EdgeRow & { type: InteractionType; coUsers: (EdgeRow & { userId: string })[] })[];
      return {
        userId: row.userId as string,
        userExists: row.userExists as boolean,
        items: items.map(
          (n): ItemNeighbour => ({
            item: toItem(n),
            type: n.type,
            weight: n.weight,
            lastAt: new Date(n.lastAt),
            coUsers: n.coUsers.map(toCoUser),
          }),
        ),
        interactedItemIds: new Set(row.interactedItemIds as string[]),
      };
    });
  }

  async itemUsers(itemIds: readonly string[], limit: number): Promise<CoUserNeighbour[][]> {
    if (itemIds.length === 0) return [];
    const rows = await this.db.read(cypher.itemUsersQuery(itemIds, limit));
    return alignRows(rows, 'itemId', itemIds).map((row) => (row.users as (EdgeRow & { userId: string })[]).map(toCoUser));
  }

  async items(ids: readonly string[]): Promise<(ItemRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.read(cypher.itemsQuery(ids));
    return alignRows(rows, 'id', ids).map((row) => (row.found ? toItem(row as unknown as ItemRow) : null));
  }

  async users(ids: readonly string[]): Promise<(UserRef | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.read(cypher.usersQuery(ids));
    return alignRows(rows, 'id', ids).map((row) => (row.found ? { id: row.id as string } : null));
  }

  async interactionCounts(userIds: readonly string[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.read(cypher.usersQuery(userIds));
    return alignRows(rows, 'id', userIds).map((row) => row.interactionCount as number);
  }

  async recentInteractions(userIds: readonly string[], limit: number): Promise<InteractionRecord[][]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.read(cypher.recentInteractionsQuery(userIds, limit));
    return alignRows(rows, 'userId', userIds).map((row) => (row.interactions as cypher.InteractionRow[]).map(toInteraction));
  }

  async listUsers({ first, afterId }: PageRequest): Promise<Page<UserRef>> {
    const rows = await this.db.read(cypher.listUsersQuery(afterId ?? '', first + 1));
    return { records: rows.slice(0, first).map((r) => ({ id: r.id as string })), hasNextPage: rows.length > first };
  }

  async listItems({ first, afterId, category }: PageRequest & { readonly category?: string | null }): Promise<Page<ItemRecord>> {
    const rows = await this.db.read(cypher.listItemsQuery(afterId ?? '', first + 1, category ?? null));
    return { records: rows.slice(0, first).map((r) => toItem(r as unknown as ItemRow)), hasNextPage: rows.length > first };
  }

  async interactionsPage({ first, after }: InteractionsPageRequest): Promise<InteractionsPage> {
    const rows = await this.db.read(cypher.interactionsPageQuery(decodeInteractionCursor(after), first + 1));
    const records = rows.slice(0, first);
    const last = records.at(-1);
    return {
      records: records.map((r) => toInteraction(r as unknown as cypher.InteractionRow)),
      endCursor: last ? encodeInteractionCursor(last.seq as number) : (after ?? null),
      hasNextPage: rows.length > first,
    };
  }

  async categories(): Promise<string[]> {
    return (await this.db.read(cypher.categoriesQuery())).map((r) => r.category as string);
  }

  async popularItems(query: PopularItemsQuery): Promise<PopularItem[]> {
    const rows = await this.db.read(
      cypher.popularItemsQuery(
        query.limit,
        query.includeCategories ?? null,
        query.excludeCategories ?? [],
        [...(query.excludeItemIds ?? [])],
      ),
    );
    return rows.map((row) => ({ item: toItem(row as unknown as ItemRow), userCount: row.userCount as number }));
  }

  async recordInteractions(interactions: readonly NewInteraction[]): Promise<RecordInteractionsResult> {
    const now = Date.now();
    const rows = interactions.map(
      (i): cypher.InteractionRow => ({
        key: i.id ?? null,
        userId: i.userId,
        itemId: i.itemId,
        type: i.type,
        weight: i.weight,
        occurredAt: i.occurredAt.getTime(),
        recommendationId: i.recommendationId ?? null,
      }),
    );
    const stored = await this.db.executeWrite(async (tx) => {
      await tx.run(cypher.lockInteractionWritesQuery);
      const [check] = await tx.run(cypher.unknownItemsQuery([...new Set(rows.map((r) => r.itemId))]));
      const unknown = (check?.unknown as string[] | undefined) ?? [];
      if (unknown.length > 0) throw new UnknownItemsError(unknown);
      const keys = [...new Set(rows.flatMap((r) => (r.key === null ? [] : [r.key])))];
      if (keys.length > 0) {
        const hashes = new Map(keys.map((key) => [this.erasedKeyHash(key), key]));
        const [erased] = await tx.run(cypher.erasedKeyHashesQuery([...hashes.keys()]));
        const erasedHashes = new Set(erased!.erased as string[]);
        if (erasedHashes.size > 0) throw new ErasedInteractionsError([...hashes].filter(([hash]) => erasedHashes.has(hash)).map(([, key]) => key));
      }
      const existing = keys.length === 0 ? [] : await tx.run(cypher.interactionsByKeyQuery(keys));
      // A key already stored, or repeated within this batch, is recorded once; reused for another interaction, it is a conflict.
      const byKey = new Map(existing.map((r) => [r.key as string, r as unknown as cypher.InteractionRow]));
      const fresh: cypher.InteractionRow[] = [];
      const result = rows.map((row) => {
        if (row.key !== null) {
          const seen = byKey.get(row.key);
          if (seen) {
            checkRetry(seen, row, row.key);
            return seen;
          }
          byKey.set(row.key, row);
        }
        fresh.push(row);
        return row;
      });
      if (fresh.length > 0) await tx.run(cypher.recordInteractionsQuery(fresh, now));
      return { result, recordedCount: fresh.length };
    });
    return {
      recordedCount: stored.recordedCount,
      interactions: stored.result.map(toInteraction),
      users: [...new Set(interactions.map((i) => i.userId))].map((id) => ({ id })),
    };
  }

  async upsertItems(items: readonly NewItem[]): Promise<UpsertItemsResult> {
    if (items.length === 0) return { items: [], createdCount: 0, updatedCount: 0 };
    return this.db.executeWrite(async (tx) => {
      const revision = await lockCatalogue(tx);
      const ids = items.map((item) => item.id);
      const stored = alignRows(await tx.run(cypher.itemsQuery(ids)), 'id', ids).map((row) => (row.found ? toItem(row as unknown as ItemRow) : null));
      const plan = planItemUpsert(items, stored, revision);
      if (plan.writes.length > 0) await tx.run(cypher.writeItemsQuery(plan.writes));
      return plan.result;
    });
  }

  async catalogueRevision(): Promise<number> {
    const [row] = await this.db.read(cypher.catalogueRevisionQuery);
    return row!.revision as number;
  }

  async writeRevision(): Promise<number> {
    const [row] = await this.db.read(cypher.writeRevisionQuery);
    return row!.revision as number;
  }

  async itemsChangedSince(revision: number, limit: number): Promise<CatalogueChanges> {
    const rows = await this.db.read(cypher.itemsChangedSinceQuery(revision, limit));
    return { items: rows.map((row) => toItem(row as unknown as ItemRow)), revision: (rows.at(-1)?.revision as number | undefined) ?? revision };
  }

  async deleteUser(id: string): Promise<UserDeletion> {
    const [row] = await this.db.executeWrite(async (tx) => {
      await tx.run(cypher.lockInteractionWritesQuery);
      const [recorded] = await tx.run(cypher.userInteractionKeysQuery(id));
      const keyHashes = (recorded!.keys as string[]).map(this.erasedKeyHash);
      await tx.run(cypher.deleteImpressionsQuery(id));
      return tx.run(cypher.deleteUserQuery(id, keyHashes));
    });
    return row ? { deleted: true, interactionCount: row.interactionCount as number } : { deleted: false, interactionCount: 0 };
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    if (!impressions.some((impression) => impression.items.length > 0)) return;
    await this.db.executeWrite((tx) => tx.run(cypher.recordImpressionsQuery(impressions)));
  }

  async feedbackCounts({ since, until, conversionTypes }: FeedbackQuery): Promise<FeedbackCounts[]> {
    const rows = await this.db.read(cypher.feedbackCountsQuery(since?.getTime() ?? null, until?.getTime() ?? null, conversionTypes));
    return rows.map((row) => ({
      experiment: row.experiment as string | null,
      variant: row.variant as string | null,
      modelVersion: row.modelVersion as string,
      surface: row.surface as RecommendationSurface,
      answers: row.answers as number,
      impressions: row.impressions as number,
      clicks: row.clicks as number,
      conversions: row.conversions as number,
    }));
  }

  async isEmpty(): Promise<boolean> {
    const [row] = await this.db.read(cypher.anyInteractionQuery);
    return !(row as Row).nonEmpty;
  }

  async ping(): Promise<void> {
    await this.db.runOnce(cypher.pingQuery);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

function toCoUser(c: EdgeRow & { userId: string }): CoUserNeighbour {
  return { userId: c.userId, weight: c.weight, lastAt: new Date(c.lastAt) };
}
