import { describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/index.js';
import { startTestServer } from '../support/test-server.js';

/** A store whose neighbourhood reads wait at a gate, so a request can be held in flight. */
function gatedStore() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const wrapped: GraphStore[] = [];
  const decorate = (store: GraphStore): GraphStore => {
    wrapped.push(store);
    return Object.assign(Object.create(store), {
      neighbourhoods: async (userIds: readonly string[], fanouts: { hop1: number; hop2: number }) => {
        reached();
        await gate;
        return store.neighbourhoods(userIds, fanouts);
      },
    });
  };
  return { decorate, held, open, wrapped };
}

describe('graceful shutdown', () => {
  it('stops accepting connections, finishes in-flight requests, then closes the store', async () => {
    const { decorate, held, open, wrapped } = gatedStore();
    const server = await startTestServer({ store: decorate });
    const inFlight = server.graphql(`{ recommendations(userId: "user-0001", first: 3) { item { id } } }`);
    await held;

    const closing = server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();

    open();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data.recommendations).toHaveLength(3);
    await closing;
    // The real store, not the availability wrapper in front of it, which reports any failure as unavailable.
    await expect(wrapped[0]!.isEmpty()).rejects.toThrow(/not open/);
  });
});
