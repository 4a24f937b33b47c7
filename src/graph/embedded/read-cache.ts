import { LRUCache } from 'lru-cache';
import type { CoUserNeighbour, ItemRecord } from '../store.js';

interface CoUserList {
  /** How many co-users were asked for when the list was read. */
  readonly limit: number;
  /** The item's most recent co-users, in sampling order; fewer than `limit` means all of them. */
  readonly coUsers: readonly CoUserNeighbour[];
}

/**
 * What the embedded store keeps in memory between reads: item records and each item's most recent
 * co-users. Popular items sit in many users' neighbourhoods, and reading them once instead of once
 * per user is most of a batch's store time. It is exact, never merely fresh enough: the store
 * forgets an item whenever its record or its edges change, and `sync` forgets everything once
 * another connection has committed. Least recently used items go first beyond `capacity` items
 * (0 keeps nothing).
 */
export class ReadCache {
  private readonly records: LRUCache<string, ItemRecord> | null;
  private readonly coUserLists: LRUCache<string, CoUserList> | null;
  private dataVersion: number | null = null;

  constructor(capacity: number) {
    this.records = capacity > 0 ? new LRUCache({ max: capacity }) : null;
    this.coUserLists = capacity > 0 ? new LRUCache({ max: capacity }) : null;
  }

  /** Call at the start of each read with `PRAGMA data_version`, which moves when another connection commits. */
  sync(dataVersion: number): void {
    if (dataVersion !== this.dataVersion) {
      this.records?.clear();
      this.coUserLists?.clear();
    }
    this.dataVersion = dataVersion;
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
