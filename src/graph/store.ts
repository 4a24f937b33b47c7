/**
 * The graph-store port: what the rest of recograph needs from wherever interactions live.
 * Adapters: `embedded/` (SQLite, the default) and `neo4j/`. Every adapter passes `test/graph/store-contract.ts`.
 */

export type InteractionType = 'VIEW' | 'CLICK' | 'CHECK_IN' | 'LIKE' | 'ADD_TO_CART' | 'PURCHASE';

export interface ItemRecord {
  readonly id: string;
  readonly title: string;
  readonly category: string | null;
  /** Free text about the item, for people and for content features. */
  readonly description: string | null;
  readonly tags: readonly string[];
  /** False for an item out of stock or withdrawn: still listed, never recommended. */
  readonly available: boolean;
}

/**
 * An item to write with `upsertItems`: its whole record. A field left out takes its default (no
 * category, no description, no tags, available); it never keeps what was stored.
 */
export type NewItem = Pick<ItemRecord, 'id' | 'title'> & Partial<Omit<ItemRecord, 'id' | 'title'>>;

export interface UpsertItemsResult {
  /** The items as stored, in input order. */
  readonly items: readonly ItemRecord[];
  readonly createdCount: number;
  /** Existing items whose record changed; one written exactly as stored counts as neither. */
  readonly updatedCount: number;
}

/** A page of `itemsChangedSince`. */
export interface CatalogueChanges {
  /** Items created or changed after the revision asked for, in revision order. */
  readonly items: readonly ItemRecord[];
  /** The highest revision among `items` (the one asked for when there are none): pass it back to continue. */
  readonly revision: number;
}

/** A user as the API knows them before loading anything else. */
export interface UserRef {
  readonly id: string;
}

export interface InteractionRecord {
  readonly id: string | null;
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly weight: number;
  readonly occurredAt: Date;
  /** The recommendation answer the interaction came from, when the caller said so. */
  readonly recommendationId: string | null;
}

/** An interaction to record; `weight` is already resolved (see `interaction-weights.ts`). */
export interface NewInteraction {
  readonly id?: string | null;
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly weight: number;
  readonly occurredAt: Date;
  /** The recommendation answer it came from (`Impression.recommendationId`), if any. */
  readonly recommendationId?: string | null;
}

export interface RecordInteractionsResult {
  readonly recordedCount: number;
  readonly interactions: readonly InteractionRecord[];
  readonly users: readonly UserRef[];
}

/** Fan-out per hop: at most `hop1` of the user's items, `hop2` co-users per item. */
export interface Fanouts {
  readonly hop1: number;
  readonly hop2: number;
}

/** Repeated interactions of one user with one item, merged: summed weight, latest time. */
export interface Edge {
  readonly weight: number;
  readonly lastAt: Date;
}

export interface ItemNeighbour extends Edge {
  readonly item: ItemRecord;
  /** The strongest type among the user's interactions with the item (`INTERACTION_TYPE_STRENGTH`). */
  readonly type: InteractionType;
  /** Other users who interacted with this item, sampled (hop 2), aligned with the policy. */
  readonly coUsers: readonly CoUserNeighbour[];
}

export interface CoUserNeighbour extends Edge {
  readonly userId: string;
}

/**
 * A user's sampled 2-hop neighbourhood, under the policy `most-recent-first/v1`
 * (docs/model.md): hop 1 = the user's edges by `lastAt` desc then item id; hop 2 = per item, other
 * users' edges by `lastAt` desc then user id. Ids compare by code point (see `id-order.ts`).
 */
export interface Neighbourhood {
  readonly userId: string;
  /** False when no such user exists; then `items` is empty. */
  readonly userExists: boolean;
  readonly items: readonly ItemNeighbour[];
  /** Every item the user ever interacted with (not only the sampled ones): never recommended. */
  readonly interactedItemIds: ReadonlySet<string>;
}

export interface PageRequest {
  readonly first: number;
  /** Exclusive lower bound: the id of the last record of the previous page. */
  readonly afterId?: string | null;
}

export interface Page<T> {
  readonly records: readonly T[];
  readonly hasNextPage: boolean;
}

export interface InteractionsPageRequest {
  readonly first: number;
  /** The `endCursor` of the previous page; absent or null for the first page. */
  readonly after?: string | null;
}

/** A page of the whole event log in recording order; `endCursor` resumes after its last record. */
export interface InteractionsPage {
  readonly records: readonly InteractionRecord[];
  /** Opaque; null only when the page is empty and no cursor was given. */
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

export interface PopularItemsQuery {
  readonly limit: number;
  readonly includeCategories?: readonly string[] | null;
  readonly excludeCategories?: readonly string[] | null;
  readonly excludeItemIds?: ReadonlySet<string>;
}

export interface PopularItem {
  readonly item: ItemRecord;
  /** How many distinct users interacted with the item. */
  readonly userCount: number;
}

/** What `deleteUser` erased. */
export interface UserDeletion {
  /** False when no such user existed (then nothing was changed). */
  readonly deleted: boolean;
  /** How many recorded interactions were erased with the user. */
  readonly interactionCount: number;
}

/** Where an answer was shown: a user's recommendations or an item's similar items. */
export type RecommendationSurface = 'RECOMMENDATIONS' | 'SIMILAR_ITEMS';

/** The items of one recommendation answer (or one page of it) as they were served. */
export interface Impression {
  readonly recommendationId: string;
  /** The user it was served to; null for an anonymous visit or an item page without a user. */
  readonly userId: string | null;
  readonly surface: RecommendationSurface;
  /** The experiment and variant that served it; null outside experiments. */
  readonly experiment: string | null;
  readonly variant: string | null;
  readonly modelVersion: string;
  readonly shownAt: Date;
  /** The items served, each with its rank (1 = first); a later page of a list continues the ranks. */
  readonly items: readonly { readonly itemId: string; readonly rank: number }[];
}

export interface FeedbackQuery {
  /** Impressions shown at or after this instant; null for all. */
  readonly since: Date | null;
  /** Impressions shown before this instant; null for all. */
  readonly until: Date | null;
  /** Interaction types that count as a conversion (every attributed interaction counts as a click). */
  readonly conversionTypes: readonly InteractionType[];
}

/**
 * Impressions and what came of them, per experiment, variant, model version and surface. An
 * impression is one served item of one answer; it is clicked when an interaction of the answer's
 * user (any user, for an answer served to nobody) with that item names the answer's
 * `recommendationId`, and converted when such an interaction has a conversion type. Each
 * impression counts once however many interactions it led to.
 */
export interface FeedbackCounts {
  readonly experiment: string | null;
  readonly variant: string | null;
  readonly modelVersion: string;
  readonly surface: RecommendationSurface;
  /** Distinct answers (a kept list's pages are one answer). */
  readonly answers: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
}

export interface GraphStore {
  /** Sampled neighbourhoods for many users in one round trip, aligned with `userIds`. */
  neighbourhoods(userIds: readonly string[], fanouts: Fanouts): Promise<Neighbourhood[]>;
  /**
   * Each item's most recent users, in the sampling policy's hop-2 order (latest edge first, then
   * user id), at most `limit`, aligned with `itemIds` (empty for an unknown item): the evidence an
   * item the model was not trained on is estimated from.
   */
  itemUsers(itemIds: readonly string[], limit: number): Promise<CoUserNeighbour[][]>;
  /** Items by id, aligned with `ids`; null for an unknown id. */
  items(ids: readonly string[]): Promise<(ItemRecord | null)[]>;
  /** Users by id, aligned with `ids`; null for an unknown id. */
  users(ids: readonly string[]): Promise<(UserRef | null)[]>;
  /** Interaction counts per user, aligned with `ids` (0 for unknown users). */
  interactionCounts(userIds: readonly string[]): Promise<number[]>;
  /** Each user's most recent interactions, newest first, aligned with `userIds`. */
  recentInteractions(userIds: readonly string[], limit: number): Promise<InteractionRecord[][]>;
  /** Users by id, in code point order (as every id-ordered answer; see `id-order.ts`). */
  listUsers(page: PageRequest): Promise<Page<UserRef>>;
  listItems(page: PageRequest & { readonly category?: string | null }): Promise<Page<ItemRecord>>;
  /**
   * Every recorded interaction, in recording order (stable: later writes come after every earlier
   * page, erased users' interactions drop out), for exports such as training. A cursor this store
   * did not issue throws `InvalidCursorError`.
   */
  interactionsPage(page: InteractionsPageRequest): Promise<InteractionsPage>;
  /** The distinct categories of the catalogue, sorted. */
  categories(): Promise<string[]>;
  /** Available items by number of distinct users, most first, then by id. */
  popularItems(query: PopularItemsQuery): Promise<PopularItem[]>;
  /**
   * Records interactions atomically: unknown users are created; an unknown item throws
   * `UnknownItemsError` and nothing is written; an `id` already recorded is skipped; an `id` of an
   * interaction erased with its user throws `ErasedInteractionsError` and nothing is written.
   */
  recordInteractions(interactions: readonly NewInteraction[]): Promise<RecordInteractionsResult>;
  /**
   * Creates or replaces whole item records, atomically (see `NewItem` for omitted fields); ids must
   * be distinct within a call. An item stored exactly so already is left alone, so a retry changes
   * nothing. Each item created or changed gets the next catalogue revision, in input order.
   */
  upsertItems(items: readonly NewItem[]): Promise<UpsertItemsResult>;
  /**
   * The catalogue's revision: the highest stamped on an item so far (0 for an empty catalogue). It
   * only grows, and a revision is visible only once every lower one is, so a follower that reads
   * it, then the whole catalogue, then `itemsChangedSince` it misses no write.
   */
  catalogueRevision(): Promise<number>;
  /** At most `limit` items created or changed after `revision`, in revision order; from 0, the whole catalogue. */
  itemsChangedSince(revision: number, limit: number): Promise<CatalogueChanges>;
  /**
   * The store's write revision: it moves, in the same transaction, with every write that can change
   * what a read returns (`recordInteractions` that records something, `upsertItems` that changes
   * something, `deleteUser` of a user that existed), whichever connection or process made it, and
   * never moves back. Impressions do not move it. Results computed after reading revision `r` are
   * current for as long as the store's revision is still `r` (the result cache relies on it).
   */
  writeRevision(): Promise<number>;
  /**
   * Erases a user and everything recorded about them, atomically: their interactions, merged
   * edges, their share of item popularity and the impressions served to them (those served to an
   * id no user holds, such as a popularity fallback's, are erased too, though `deleted` is false). Afterwards no read returns anything derived from them,
   * and a replay of one of their interaction `id`s is refused: the store keeps a keyed hash of each
   * such `id` (see `erased-keys.ts`), never the `id` or the user's id.
   */
  deleteUser(id: string): Promise<UserDeletion>;
  /**
   * Keeps served answers' impressions, many in one write (the serving side batches them off the
   * request path). A `recommendationId` and rank already kept is left as it was, so a retried
   * batch counts nothing twice.
   */
  recordImpressions(impressions: readonly Impression[]): Promise<void>;
  /** Impressions, clicks and conversions per experiment, variant, model version and surface (see `FeedbackCounts`). */
  feedbackCounts(query: FeedbackQuery): Promise<FeedbackCounts[]>;
  /** True when the store holds no interaction at all (a fresh store to seed). */
  isEmpty(): Promise<boolean>;
  /** Resolves when the store can be read and written now; rejects, without waiting long, when not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by `recordInteractions` when some item ids are not in the catalogue. */
export class UnknownItemsError extends Error {
  constructor(readonly itemIds: readonly string[]) {
    super(`Unknown item ids: ${itemIds.join(', ')}`);
    this.name = 'UnknownItemsError';
  }
}

/** Thrown by `recordInteractions` when some interaction ids belong to interactions erased with their user. */
export class ErasedInteractionsError extends Error {
  constructor(readonly interactionIds: readonly string[]) {
    super(`Interaction ids of erased users: ${interactionIds.join(', ')}`);
    this.name = 'ErasedInteractionsError';
  }
}

/** Thrown by `recordInteractions` when an interaction id is reused for another user, item or type. */
export class IdempotencyConflictError extends Error {
  constructor(readonly key: string) {
    super(`Interaction id ${key} was already used for another interaction`);
    this.name = 'IdempotencyConflictError';
  }
}

type InteractionIdentity = { readonly userId: string; readonly itemId: string; readonly type: string };

/**
 * A retry of `stored` (the same key) must be the same interaction: same user, item and type. Time
 * and weight may differ (a retry without `occurredAt` is stamped anew).
 */
export function checkRetry(stored: InteractionIdentity, retry: InteractionIdentity, key: string): void {
  if (stored.userId !== retry.userId || stored.itemId !== retry.itemId || stored.type !== retry.type) throw new IdempotencyConflictError(key);
}

/** The store cannot be reached (a database down, a connection lost); the operation may be retried. */
export class GraphStoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GraphStoreUnavailableError';
  }
}
