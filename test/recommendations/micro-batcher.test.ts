import { describe, expect, it } from 'vitest';
import { MicroBatcher, type MicroBatcherOptions } from '../../src/recommendations/index.js';

/** A batch function whose batches are recorded and finish only when released. */
function gatedRun() {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const run = async (keys: readonly string[]) => {
    batches.push([...keys]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return keys.map((k) => `value of ${k}`);
  };
  return { batches, run, releaseAll: () => releases.splice(0).forEach((release) => release()) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const options = (overrides: Partial<MicroBatcherOptions> = {}): MicroBatcherOptions => ({
  maxBatchSize: 100,
  maxWaitMs: 60_000,
  maxInFlight: 1,
  ...overrides,
});

describe('micro-batching across concurrent callers', () => {
  it('runs a lone call at once on an idle batcher, whatever the configured wait', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher(async (keys: readonly string[]) => {
      batches.push([...keys]);
      return keys.map((k) => k.toUpperCase());
    }, options({ maxWaitMs: 60_000 }));
    // With a minute's wait and no timer advanced, only an immediate start can resolve this.
    await expect(batcher.load(['a', 'b'])).resolves.toEqual(['A', 'B']);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('merges the calls that arrive while a batch runs into one batch and gives each caller its own values', async () => {
    const { batches, run, releaseAll } = gatedRun();
    const batcher = new MicroBatcher(run, options());
    const first = batcher.load(['u1']);
    await settle();
    const second = batcher.load(['u2', 'u3']);
    const third = batcher.load(['u4']);
    const fourth = batcher.load(['u5', 'u6']);
    releaseAll();
    await first;
    await settle();
    releaseAll();
    expect(await second).toEqual(['value of u2', 'value of u3']);
    expect(await third).toEqual(['value of u4']);
    expect(await fourth).toEqual(['value of u5', 'value of u6']);
    expect(batches).toEqual([['u1'], ['u2', 'u3', 'u4', 'u5', 'u6']]);
  });

  it('starts a batch as soon as the queue reaches the maximum size, without waiting', async () => {
    const { batches, run, releaseAll } = gatedRun();
    const batcher = new MicroBatcher(run, options({ maxBatchSize: 3 }));
    const calls = [batcher.load(['busy'])];
    await settle();
    calls.push(batcher.load(['a', 'b']), batcher.load(['c']), batcher.load(['d']));
    expect(batches).toEqual([['busy'], ['a', 'b', 'c']]);
    await settle();
    releaseAll();
    await settle();
    releaseAll();
    await Promise.all(calls);
    expect(batches).toEqual([['busy'], ['a', 'b', 'c'], ['d']]);
  });

  it('starts a waiting batch after the maximum wait even while earlier batches still run', async () => {
    const { batches, run, releaseAll } = gatedRun();
    const batcher = new MicroBatcher(run, options({ maxWaitMs: 5 }));
    const calls = [batcher.load(['stuck'])];
    await settle();
    calls.push(batcher.load(['waiting']));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([['stuck'], ['waiting']]);
    releaseAll();
    await Promise.all(calls);
  });

  it('never splits one call, even one larger than the maximum batch size', async () => {
    const { batches, run, releaseAll } = gatedRun();
    const batcher = new MicroBatcher(run, options({ maxBatchSize: 2 }));
    const call = batcher.load(['a', 'b', 'c', 'd']);
    await settle();
    releaseAll();
    expect(await call).toHaveLength(4);
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('fails only the calls of a failed batch, and keeps serving', async () => {
    let fail = true;
    const batcher = new MicroBatcher(async (keys: readonly string[]) => {
      if (fail) throw new Error('store unavailable');
      return [...keys];
    }, options());
    await expect(batcher.load(['a'])).rejects.toThrow('store unavailable');
    fail = false;
    await expect(batcher.load(['b'])).resolves.toEqual(['b']);
  });

  it('refuses a batch function that returns the wrong number of values', async () => {
    const batcher = new MicroBatcher(async () => ['only one'], options());
    await expect(batcher.load(['a', 'b'])).rejects.toThrow('1 values for 2 keys');
  });

  it('reports each batch’s keys and callers', async () => {
    const seen: [number, number][] = [];
    const { run, releaseAll } = gatedRun();
    const batcher = new MicroBatcher(run, options({ onBatch: (keys, calls) => seen.push([keys, calls]) }));
    const calls = [batcher.load(['a'])];
    await settle();
    calls.push(batcher.load(['b', 'c']), batcher.load(['d']));
    releaseAll();
    await calls[0];
    await settle();
    releaseAll();
    await Promise.all(calls);
    expect(seen).toEqual([
      [1, 1],
      [3, 2],
    ]);
  });
});
