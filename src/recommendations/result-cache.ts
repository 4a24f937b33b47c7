import { LRUCache } from 'lru-cache';

/** Which result a lookup was for: the popularity ranking behind fallbacks, or an item page's similar items. */
export type ResultCacheName = 'popularity' | 'similar_items';

/** Told of every lookup, e.g. to count hit rates in `/metrics`. */
export type ResultCacheListener = (cache: ResultCacheName, outcome: 'hit' | 'miss') => void;

/**
 * Results that depend only on the store, the serving model and what this process follows of the
 * catalogue, kept between requests, keyed by everything else that changes them. Exact, never
 * merely fresh enough: every use passes the store's write revision read just before it, and a
 * revision other than the one the entries were computed under forgets them all; `invalidate`
 * forgets them when this process's own view changes (the catalogue followed, a model row
 * estimated). An entry is the promise of its result, so concurrent misses of one key compute it
 * once; a failed computation is forgotten. Least recently used entries go first beyond `maxEntries`.
 */
export class ResultCache<V extends object> {
  private readonly entries: LRUCache<string, Promise<V>>;
  /** The write revision the entries were computed under. */
  private revision = -1;

  constructor(
    readonly name: ResultCacheName,
    maxEntries: number,
    private readonly listener: ResultCacheListener = () => {},
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /**
   * Results for `requests`, aligned with them: those whose `keyOf` is a key held under `revision`
   * from the cache, the others from one call of `compute` with them (in order). A request whose
   * key is null is never cached.
   */
  async getMany<R>(revision: number, requests: readonly R[], keyOf: (request: R) => string | null, compute: (missing: R[]) => Promise<V[]>): Promise<V[]> {
    // A revision older than the entries' comes from a read that raced a write: computed, not kept.
    const current = this.advanceTo(revision);
    const keys = requests.map(keyOf);
    const results: Promise<V>[] = [];
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const held = key !== null && current ? this.entries.get(key) : undefined;
      if (key !== null) this.listener(this.name, held ? 'hit' : 'miss');
      if (held) results[i] = held;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const computed = compute(missing.map((i) => requests[i]!));
      missing.forEach((i, m) => {
        const result = computed.then((values) => values[m]!);
        results[i] = result;
        const key = keys[i]!;
        if (key === null || !current) return;
        this.entries.set(key, result);
        result.catch(() => {
          if (this.entries.peek(key) === result) this.entries.delete(key);
        });
      });
    }
    return Promise.all(results);
  }

  /** One result; see `getMany`. */
  async get(revision: number, key: string | null, compute: () => Promise<V>): Promise<V> {
    const [result] = await this.getMany(revision, [key], (k) => k, async () => [await compute()]);
    return result!;
  }

  /** Forgets every entry: something this process computes them from has changed. */
  invalidate(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Moves the entries to `revision`, forgetting them when it is newer; false when it is older. */
  private advanceTo(revision: number): boolean {
    if (revision < this.revision) return false;
    if (revision > this.revision) {
      this.entries.clear();
      this.revision = revision;
    }
    return true;
  }
}
