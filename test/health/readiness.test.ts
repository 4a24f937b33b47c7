import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteGraphStore, type GraphStore } from '../../src/graph/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { writeProtect } from '../support/write-protect.js';

const RECORD = 'mutation { recordInteractions(input: [{ userId: "user-0001", itemId: "item-0001" }]) { recordedCount } }';
const RECOMMEND = '{ recommendations(userId: "user-0001", first: 3) { rank } }';
/** The bundled model was trained on the whole demo catalogue. */
const DEMO_COVERAGE = { items: 1920, trained: 1920, inductive: 0, content: 0, none: 0 };

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe('health and readiness', () => {
  let server: TestServer;
  let dataDir: string;
  /** Store calls other than pings, i.e. the ones a request makes. */
  let storeCalls = 0;
  const countCalls = (store: GraphStore) =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || property === 'ping') return value;
        return (...args: unknown[]) => {
          storeCalls += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'recograph-ready-'));
    server = await startTestServer({ store: countCalls }, { DATA_DIR: dataDir, STORE_PROBE_INTERVAL_MS: '50', EMBEDDED_BUSY_TIMEOUT_MS: '100' });
  });
  afterAll(() => server?.close());

  const readyz = async () => {
    const response = await fetch(`${server.origin}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('reports the process alive on /healthz and ready on /readyz', async () => {
    const healthz = await fetch(`${server.origin}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, store: 'up', model: { version: expect.any(String) }, catalogue: DEMO_COVERAGE } });
  });

  it('turns unready and fails fast with SERVICE_UNAVAILABLE while the store file is write-protected, then recovers by itself', async (context) => {
    const undo = writeProtect(join(dataDir, 'recograph.sqlite'));
    if (undo === null) return context.skip('chattr +i is not permitted here');
    try {
      await waitFor(async () => (await readyz()).status === 503, 'the store is reported unready');
      expect(await readyz()).toEqual({ status: 503, body: { ready: false, store: 'down', model: { version: expect.any(String) }, catalogue: DEMO_COVERAGE } });
      const callsBefore = storeCalls;
      for (const query of [RECORD, RECOMMEND]) {
        const { status, data, errors } = await server.graphql(query);
        expect(status).toBe(503);
        expect(data).toBeUndefined();
        expect(errors).toEqual([{ message: expect.stringMatching(/unavailable/), extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
      }
      // Failing fast: the requests never reached the store.
      expect(storeCalls).toBe(callsBefore);
      expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
    } finally {
      undo();
    }
    await waitFor(async () => (await readyz()).status === 200, 'the store is ready again');
    const recorded = await server.graphql(RECORD);
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordInteractions.recordedCount).toBe(1);
    expect((await server.graphql(RECOMMEND)).data.recommendations).toHaveLength(3);
  });

  it('stays ready and keeps reading while another process holds the write lock; a write then gives up as SERVICE_UNAVAILABLE', async () => {
    const intruder = new Database(join(dataDir, 'recograph.sqlite'));
    intruder.exec('BEGIN IMMEDIATE'); // another process holding the write lock
    try {
      expect(await readyz()).toEqual({ status: 200, body: { ready: true, store: 'up', model: { version: expect.any(String) }, catalogue: DEMO_COVERAGE } });
      const read = await server.graphql(RECOMMEND);
      expect(read.errors).toBeUndefined();
      expect(read.data.recommendations).toHaveLength(3);
      const write = await server.graphql(RECORD);
      expect(write.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      expect((await readyz()).status).toBe(200);
    } finally {
      intruder.exec('ROLLBACK');
      intruder.close();
    }
    expect((await server.graphql(RECORD)).data.recordInteractions.recordedCount).toBe(1);
  });
});

describe('readiness of a store with a catalogue of its own', () => {
  let server: TestServer;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'recograph-own-'));
    const store = new SqliteGraphStore(join(dataDir, 'recograph.sqlite'));
    const items = Array.from({ length: 3000 }, (_, i) => ({ id: `sku-${i}`, title: `Product ${i}`, category: 'Shop' }));
    await store.upsertItems([...items, { id: 'item-0001', title: 'A demo item', category: 'Shop' }]);
    await store.recordInteractions([
      { userId: 'shopper', itemId: 'sku-1', type: 'PURCHASE', weight: 3, occurredAt: new Date() },
      { userId: 'shopper', itemId: 'item-0001', type: 'VIEW', weight: 1, occurredAt: new Date() },
    ]);
    await store.close();
    // Content features off: with them the model would know these items from their text.
    server = await startTestServer({}, { DATA_DIR: dataDir, SEED_DEMO_DATA: 'false', TEXT_ENCODER_DIR: '' });
  });
  afterAll(() => server?.close());

  it('stays ready but warns that the model knows under half of the catalogue, counting what it estimated', async () => {
    const response = await fetch(`${server.origin}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { catalogue: unknown; warning: string };
    expect(body.catalogue).toEqual({ items: 3001, trained: 1, inductive: 1, content: 0, none: 2999 });
    expect(body.warning).toMatch(/knows 2 of the catalogue's 3001 items .*train it on your data/);
  });
});

describe('start-up with a missing or corrupt model', () => {
  const start = (modelDir: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'recograph-nomodel-')),
        SEED_DEMO_DATA: 'false',
        MODEL_DIR: modelDir,
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuses to start, naming the missing file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'recograph-empty-model-'));
    const result = start(empty);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('recograph failed to start');
    expect(result.stderr).toContain(join(empty, 'model.json'));
  });
});
