import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('MAX_CONCURRENT_REQUESTS', () => {
  let server: TestServer;
  let inFlight = 0;
  let mostInFlight = 0;
  beforeAll(async () => {
    // Item lookups that take a while, counted while they run.
    const slowItems = (store: GraphStore): GraphStore =>
      new Proxy(store, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (property !== 'items' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: unknown[]) => {
            mostInFlight = Math.max(mostInFlight, ++inFlight);
            await new Promise((resolve) => setTimeout(resolve, 100));
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              inFlight--;
            }
          };
        },
      });
    server = await startTestServer({ store: slowItems }, { MAX_CONCURRENT_REQUESTS: '2' });
  });
  afterAll(() => server?.close());

  it('runs at most that many requests at once and lets the others wait their turn, all answered', async () => {
    mostInFlight = 0;
    const ids = ['item-0001', 'item-0002', 'item-0003', 'item-0004', 'item-0005', 'item-0006'];
    const responses = await Promise.all(ids.map((id) => server.graphql('query ($id: ID!) { item(id: $id) { id } }', { id })));
    expect(responses.map((r) => r.data?.item?.id)).toEqual(ids);
    expect(mostInFlight).toBe(2);
  });

  it('gives the slot of a client that left back', async () => {
    const abandoned = Array.from({ length: 4 }, (_, i) => {
      const controller = new AbortController();
      const request = fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ item(id: "item-001${i}") { id } }` }),
        signal: controller.signal,
      }).catch(() => undefined);
      setTimeout(() => controller.abort(), 20);
      return request;
    });
    await Promise.all(abandoned);
    const after = await Promise.all([1, 2, 3].map(() => server.graphql('{ item(id: "item-0020") { id } }')));
    expect(after.map((r) => r.data.item.id)).toEqual(['item-0020', 'item-0020', 'item-0020']);
  });
});
