import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS } from '../../src/graph/demo/demo-dataset.js';
import { generateDemoDataset, Neo4jGraphStore, seedDemoData } from '../../src/graph/index.js';
import { startNeo4jTestServer, type Neo4jTestServer } from '../../tools/neo4j-test-server/launch.js';
import { describeNeo4j, neo4jEnv, neo4jOptions } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PROBE_INTERVAL_MS = 2000;
const RECOMMEND = `query ($userId: ID!) { recommendations(userId: $userId, first: 5) { item { id } explanation { kind } } }`;

interface Outcome {
  readonly startedAt: number;
  readonly ms: number;
  readonly code: string;
}

// Its own Neo4j (a kept data folder, so it can come back with the same data), not the shared one.
describeNeo4j('the API when Neo4j goes away and comes back', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'recograph-outage-'));
  let neo4j: Neo4jTestServer;
  let api: TestServer;
  beforeAll(async () => {
    neo4j = await startNeo4jTestServer({ dataDir });
    const store = await Neo4jGraphStore.connect(neo4jOptions(neo4j.settings));
    await seedDemoData(store, generateDemoDataset({ ...DEFAULT_DEMO_OPTIONS, users: 200 }));
    await store.close();
    api = await startTestServer({}, { ...neo4jEnv(neo4j.settings), SEED_DEMO_DATA: 'false', STORE_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS) });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    await neo4j?.stop();
  });

  const ready = async () => (await fetch(`${api.origin}/readyz`)).status === 200;

  /** Requests from `clients` loops until `stop()`; each outcome timed. */
  function traffic(clients: number) {
    const outcomes: Outcome[] = [];
    let running = true;
    const loops = Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; running && n < 100_000; n++) {
        const startedAt = performance.now();
        const { errors } = await api.graphql(RECOMMEND, { userId: `user-${String((c * 37 + n) % 200 + 1).padStart(4, '0')}` });
        outcomes.push({ startedAt, ms: performance.now() - startedAt, code: (errors?.[0]?.extensions?.code as string) ?? 'OK' });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    return {
      outcomes,
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  it.each(['SIGTERM', 'SIGKILL'] as const)('after %s: not ready within two probe intervals, fails fast, recovers by itself', async (signal) => {
    expect(await ready()).toBe(true);
    const load = traffic(4);
    await expect.poll(() => load.outcomes.filter((o) => o.code === 'OK').length, { timeout: 30_000 }).toBeGreaterThan(20);

    const stoppedAt = performance.now();
    const stopping = neo4j.stop(signal);
    await expect.poll(ready, { interval: 50, timeout: 30_000 }).toBe(false);
    const notReadyAfterMs = performance.now() - stoppedAt;
    await stopping;
    // Traffic against a store known to be down.
    const downFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2 * PROBE_INTERVAL_MS));

    neo4j = await startNeo4jTestServer({ dataDir, port: neo4j.port });
    await expect.poll(ready, { interval: 100, timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await api.graphql(RECOMMEND, { userId: 'user-0001' })).errors, { timeout: 30_000 }).toBeUndefined();
    await load.stop();

    const whileDown = load.outcomes.filter((o) => o.startedAt >= downFrom && o.startedAt < downFrom + 2 * PROBE_INTERVAL_MS);
    console.log(
      `${signal}: /readyz false ${notReadyAfterMs.toFixed(0)} ms after the signal; ${whileDown.length} requests while down, ` +
        `slowest ${Math.max(...whileDown.map((o) => o.ms)).toFixed(1)} ms; codes ${[...new Set(load.outcomes.map((o) => o.code))].join(', ')}`,
    );
    expect(notReadyAfterMs).toBeLessThan(2 * PROBE_INTERVAL_MS);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(new Set(whileDown.map((o) => o.code))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    // Nothing but answers and SERVICE_UNAVAILABLE, whatever the moment of the outage.
    expect(load.outcomes.every((o) => o.code === 'OK' || o.code === 'SERVICE_UNAVAILABLE')).toBe(true);
  }, 240_000);
});
