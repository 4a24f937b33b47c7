import { describe, expect, it } from 'vitest';
import { ResultCache, type ResultCacheName } from '../../src/recommendations/index.js';

interface Answer {
  readonly key: string;
  readonly computed: number;
}

/** A cache whose computations are counted and whose lookups are recorded. */
function recordingCache(maxEntries = 10) {
  const lookups: [ResultCacheName, 'hit' | 'miss'][] = [];
  const cache = new ResultCache<Answer>('popularity', maxEntries, (name, outcome) => lookups.push([name, outcome]));
  const computeCalls: string[][] = [];
  let computed = 0;
  const compute = async (keys: string[]) => {
    computeCalls.push(keys);
    return keys.map((key) => ({ key, computed: ++computed }));
  };
  const get = (revision: number, keys: readonly string[]) => cache.getMany(revision, keys, (k) => k, compute);
  return { cache, lookups, computeCalls, get };
}

describe('ResultCache', () => {
  it('computes the missing keys of a batch in one call, aligned, and serves them from the cache at the same revision', async () => {
    const { lookups, computeCalls, get } = recordingCache();
    const first = await get(1, ['a', 'b']);
    const second = await get(1, ['b', 'c', 'a']);
    expect(computeCalls).toEqual([['a', 'b'], ['c']]);
    expect(second.map((a) => a.key)).toEqual(['b', 'c', 'a']);
    expect(second[0]).toBe(first[1]);
    expect(second[2]).toBe(first[0]);
    expect(lookups.map(([, outcome]) => outcome)).toEqual(['miss', 'miss', 'hit', 'miss', 'hit']);
  });

  it('never caches a request whose key is null, and counts no lookup for it', async () => {
    const { cache, lookups } = recordingCache();
    let calls = 0;
    const compute = async (requests: (string | null)[]) => requests.map((key) => ({ key: String(key), computed: ++calls }));
    await cache.getMany(1, [null, 'a'], (k) => k, compute);
    await cache.getMany(1, [null, 'a'], (k) => k, compute);
    expect(calls).toBe(3);
    expect(lookups.map(([, outcome]) => outcome)).toEqual(['miss', 'hit']);
  });

  it('forgets every entry once the write revision moves', async () => {
    const { computeCalls, get } = recordingCache();
    await get(1, ['a', 'b']);
    await get(2, ['a']);
    await get(2, ['a', 'b']);
    expect(computeCalls).toEqual([['a', 'b'], ['a'], ['b']]);
  });

  it('keeps nothing computed under a revision older than its entries (a read that raced a write)', async () => {
    const { computeCalls, get } = recordingCache();
    await get(2, ['a']);
    await get(1, ['a', 'b']);
    await get(1, ['b']);
    await get(2, ['a', 'b']);
    expect(computeCalls).toEqual([['a'], ['a', 'b'], ['b'], ['b']]);
  });

  it('forgets every entry on invalidate, in-flight computations included', async () => {
    const { cache, computeCalls, get } = recordingCache();
    await get(1, ['a']);
    const inFlight = get(1, ['b']);
    cache.invalidate();
    await inFlight;
    await get(1, ['a', 'b']);
    expect(computeCalls).toEqual([['a'], ['b'], ['a', 'b']]);
  });

  it('computes a key once for concurrent misses', async () => {
    const { computeCalls, get } = recordingCache();
    const [x, y] = await Promise.all([get(1, ['a']), get(1, ['a'])]);
    expect(computeCalls).toEqual([['a']]);
    expect(x![0]).toBe(y![0]);
  });

  it('forgets a failed computation, so the next lookup computes again', async () => {
    const { cache } = recordingCache();
    const failing = cache.get(1, 'a', () => Promise.reject(new Error('store down')));
    await expect(failing).rejects.toThrow('store down');
    expect(cache.size).toBe(0);
    await expect(cache.get(1, 'a', async () => ({ key: 'a', computed: 1 }))).resolves.toEqual({ key: 'a', computed: 1 });
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries, dropping the least recently used first', async () => {
    const { cache, computeCalls, get } = recordingCache(2);
    await get(1, ['a']);
    await get(1, ['b']);
    await get(1, ['a']);
    await get(1, ['c']);
    expect(cache.size).toBe(2);
    await get(1, ['a', 'b']);
    expect(computeCalls).toEqual([['a'], ['b'], ['c'], ['b']]);
  });
});
