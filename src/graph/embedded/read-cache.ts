import { LRUCache } from 'lru-cache';
import type { CoUserNeighbour, InteractionType, ItemRecord } from '../store.js';

/** One edge of a user's hop 1, as the sampling index returns it. */
export interface Hop1Edge {
  readonly item_id: string;
  readonly weight: number;
  readonly last_at: number;
  readonly type: InteractionType;
}

/** What one read of a user's hop 1 learns. */
export interface UserEdges {
  /** The user's most recent edges, in sampling order; fewer than were asked for means all of them. */
  readonly edges: readonly Hop1Edge[];
  /** Every item the user has an edge to. */
  readonly interactedItemIds: ReadonlySet<string>;
  readonly exists: boolean;
}

interface UserEdgeList extends UserEdges {
  /** How many edges were asked for when the list was read. */
  readonly limit: number;
}

interface CoUserList {
  /** How many co-users were asked for when the list was read. */
  readonly limit: number;
  /** The item's most recent co-users, in sampling order; fewer than `limit` means all of them. */
  readonly coUsers: readonly CoUserNeighbour[];
}

export interface ReadCacheCapacity {
  /** Items whose record and co-users are kept (0: none). */
  readonly items: number;
  /** Users whose hop 1 is kept (0: none). */
  readonly users: number;
}

/**
 * What the embedded store keeps in memory between reads: item records, each item's most recent
 * co-users (hop 2) and each user's most recent edges and interacted items (hop 1). Popular items
 * sit in many users' neighbourhoods and users come back, and reading each once instead of once per
 * request is most of a batch's store time. It is exact, never merely fresh enough: the store
 * forgets an item whenever its record or its edges change, a user whenever their edges change,
 * and `sync` forgets everything once another connection has committed. Least recently used entries
 * go first beyond the capacity (0 keeps nothing).
 */
export class ReadCache {
  private readonly records: LRUCache<string, ItemRecord> | null;
  private readonly coUserLists: LRUCache<string, CoUserList> | null;
  private readonly userEdgeLists: LRUCache<string, UserEdgeList> | null;
  private dataVersion: number | null = null;

  constructor(capacity: ReadCacheCapacity) {
    this.records = capacity.items > 0 ? new LRUCache({ max: capacity.items }) : null;
    this.coUserLists = capacity.items > 0 ? new LRUCache({ max: capacity.items }) : null;
    this.userEdgeLists = capacity.users > 0 ? new LRUCache({ max: capacity.users }) : null;
  }

  /** Call at the start of each read with `PRAGMA data_version`, which moves when another connection commits. */
  sync(dataVersion: number): void {
    if (dataVersion !== this.dataVersion) {
      this.records?.clear();
      this.coUserLists?.clear();
      this.userEdgeLists?.clear();
    }
    this.dataVersion = dataVersion;
  }

  /** At least the user's first `limit` edges (all of them when they have fewer), and their interacted items. */
  userEdges(userId: string, limit: number, read: (userId: string, limit: number) => UserEdges): UserEdges {
    const held = this.userEdgeLists?.get(userId);
    if (held !== undefined && (held.limit >= limit || held.edges.length < held.limit)) return held;
    const edges = read(userId, limit);
    this.userEdgeLists?.set(userId, { ...edges, limit });
    return edges;
  }

  /** The user's edges changed (or the user was created or deleted). */
  forgetUser(userId: string): void {
    this.userEdgeLists?.delete(userId);
  }

  item(id: string, read: (id: string) => ItemRecord | null): ItemRecord | null {
    const held = this.records?.get(id);
    if (held !== undefined) return held;
    const record = read(id);
    if (record !== null) this.records?.set(id, record);
    return record;
  }

  /** At least the item's first `limit` co-users (all of them when it has fewer). */
  coUsers(itemId: string, limit: number, read: (itemId: string, limit: number) => CoUserNeighbour[]): readonly CoUserNeighbour[] {
    const held = this.coUserLists?.get(itemId);
    if (held !== undefined && (held.limit >= limit || held.coUsers.length < held.limit)) return held.coUsers;
    const coUsers = read(itemId, limit);
    this.coUserLists?.set(itemId, { limit, coUsers });
    return coUsers;
  }

  /** The item's record changed. */
  forgetItem(id: string): void {
    this.records?.delete(id);
  }

  /** The item's edges changed. */
  forgetCoUsers(itemId: string): void {
    this.coUserLists?.delete(itemId);
  }
}
