import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErasedInteractionsError, StoreAvailability, GraphStoreUnavailableError, UnknownItemsError, type GraphStore } from '../../src/graph/index.js';

/** A store whose reachability the test switches; every other call fails while it is down. */
function flakyStore() {
  const state = { up: true, calls: 0, pings: 0 };
  const store = {
    ping: async () => {
      state.pings += 1;
      if (!state.up) throw new Error('connection refused');
    },
    items: async (ids: readonly string[]) => {
      state.calls += 1;
      if (!state.up) throw new Error('connection refused');
      return ids.map(() => null);
    },
    recordInteractions: async () => {
      throw new UnknownItemsError(['x']);
    },
    upsertItems: async () => {
      throw new ErasedInteractionsError(['evt-1']);
    },
    interactionCounts: async () => {
      throw new TypeError('a bug, not an outage');
    },
    close: async () => {},
  } as unknown as GraphStore;
  return { state, store };
}

describe('store availability', () => {
  const options = { probeIntervalMs: 60_000, logger: pino({ level: 'silent' }) };

  it('turns an outage into GraphStoreUnavailableError, then fails fast without calling the store', async () => {
    const { state, store } = flakyStore();
    const availability = new StoreAvailability(store, options);
    expect(await availability.store.items(['a'])).toEqual([null]);
    state.up = false;
    await expect(availability.store.items(['a'])).rejects.toBeInstanceOf(GraphStoreUnavailableError);
    expect(availability.available).toBe(false);
    const calls = state.calls;
    await expect(availability.store.items(['a'])).rejects.toBeInstanceOf(GraphStoreUnavailableError);
    expect(state.calls).toBe(calls);
    availability.stop();
  });

  it('recovers by itself when a probe reaches the store again', async () => {
    const { state, store } = flakyStore();
    const availability = new StoreAvailability(store, { ...options, probeIntervalMs: 10 });
    state.up = false;
    await expect(availability.store.items(['a'])).rejects.toBeInstanceOf(GraphStoreUnavailableError);
    state.up = true;
    await expect.poll(() => availability.available).toBe(true);
    expect(await availability.store.items(['a'])).toEqual([null]);
    availability.stop();
  });

  it('passes domain errors and bugs through while the store answers pings', async () => {
    const { state, store } = flakyStore();
    const availability = new StoreAvailability(store, options);
    await expect(availability.store.recordInteractions([])).rejects.toBeInstanceOf(UnknownItemsError);
    await expect(availability.store.upsertItems([])).rejects.toBeInstanceOf(ErasedInteractionsError);
    // A domain error says nothing about reachability: no ping for it.
    expect(state.pings).toBe(0);
    await expect(availability.store.interactionCounts([])).rejects.toBeInstanceOf(TypeError);
    expect(availability.available).toBe(true);
    availability.stop();
  });

  it('counts a ping that does not answer within a probe interval as an outage', async () => {
    const hanging = { ping: () => new Promise(() => {}), close: async () => {} } as unknown as GraphStore;
    const availability = new StoreAvailability(hanging, { ...options, probeIntervalMs: 20 });
    expect(await availability.probe()).toBe(false);
    expect(availability.available).toBe(false);
    availability.stop();
  });

  it('answers reads still waiting on the store once it is found down, and lets writes finish', async () => {
    const state = { up: true };
    let finishWrite = () => {};
    const store = {
      ping: async () => {
        if (!state.up) throw new Error('connection refused');
      },
      items: () => new Promise(() => {}), // a read stuck in a driver's retries
      upsertItems: () => new Promise<void>((resolve) => (finishWrite = resolve)),
      close: async () => {},
    } as unknown as GraphStore;
    const availability = new StoreAvailability(store, options);
    const read = availability.store.items(['a']);
    const write = availability.store.upsertItems([]);
    state.up = false;
    expect(await availability.probe()).toBe(false);
    await expect(read).rejects.toBeInstanceOf(GraphStoreUnavailableError);
    let written = false;
    void write.then(() => (written = true));
    await Promise.resolve();
    expect(written).toBe(false);
    finishWrite();
    await expect(write).resolves.toBeUndefined();
    availability.stop();
  });
});
