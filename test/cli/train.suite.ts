import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoDataset } from '../../src/graph/index.js';
import { demoDataset, importDataset } from '../../src/graph/import/index.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import type { StoreLeg } from '../support/store-legs.js';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.warn(`SKIPPED the training CLI: ${python} cannot import torch and onnx (apt-get install python3-torch python3-onnx)`);

/** Runs `npm run train -- …` as the README does; resolves with its exit status and output. */
async function train(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, output };
}

async function servedVersion(server: ServerProcess): Promise<string> {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ model { version } }' }) });
  return ((await response.json()) as { data: { model: { version: string } } }).data.model.version;
}

async function untilServed(server: ServerProcess, version: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await servedVersion(server)) !== version) {
    if (Date.now() > deadline) throw new Error(`the server never served ${version}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const metadataOf = (modelDir: string) => JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));

/** The training CLI end to end on `leg`'s store, with a running API to reload. */
export const describeTrainCli = (leg: StoreLeg) => describe.skipIf(!hasTorch)(`npm run train -- --from-store (${leg.name})`, () => {
  const root = mkdtempSync(join(tmpdir(), 'recograph-train-cli-'));
  const dataDir = join(root, 'data');
  const env = { ...leg.env(dataDir), MODEL_DIR: join(root, 'model'), SEED_DEMO_DATA: 'false', NODE_ENV: 'test' };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
  });

  it('trains on the store, swaps the model in and reloads the API; a warm start then learns new users and items', async () => {
    const small = generateDemoDataset({ users: 150, itemsPerCategory: 8, seed: 7 });
    await leg.erase();
    const store = await leg.openStore(dataDir);
    await importDataset(store, demoDataset(small), { batchSize: 5000, onError: 'reject' });
    // The API starts on the bundled demo model and registers itself for reloads.
    cpSync('models/demo', env.MODEL_DIR, { recursive: true, filter: (path) => !path.includes('.serving') });
    server = await startServerProcess(env);
    expect(readdirSync(join(env.MODEL_DIR, '.serving'))).toHaveLength(1);

    const first = await train(env, '--from-store', '--epochs', '1', '--reload');
    expect(first.output).toContain(`exported ${small.interactions.length} interactions and ${small.items.length} items`);
    expect(first.output).toContain('sent SIGHUP to 1 API process(es)');
    expect(first.code).toBe(0);
    const trained = metadataOf(env.MODEL_DIR);
    const newest = Math.max(...small.interactions.map((i) => i.occurredAt.getTime()));
    expect(trained.training.trainedThrough).toBe(new Date(newest).toISOString());
    expect(trained.items).toHaveLength(small.items.length);
    await untilServed(server, trained.version);

    // Later: a new item, bought by a new user and by a known one.
    const later = new Date(newest + 3_600_000);
    await store.upsertItems([{ id: 'item-new', title: 'Brand new', category: small.items[0]!.category }]);
    await store.recordInteractions([
      { userId: 'user-new', itemId: 'item-new', type: 'PURCHASE', weight: 4, occurredAt: later },
      { userId: 'user-new', itemId: small.items[0]!.id, type: 'VIEW', weight: 1, occurredAt: later },
      { userId: small.interactions[0]!.userId, itemId: 'item-new', type: 'VIEW', weight: 1, occurredAt: later },
    ]);
    await store.close();
    // The known user's new edge is their latest, so it is held out: two new edges train.
    const warm = await train(env, '--from-store', '--warm-start', '--epochs', '1', '--reload');
    expect(warm.code, warm.output).toBe(0);
    const continued = metadataOf(env.MODEL_DIR);
    expect(continued.training.warmStart).toMatchObject({ from: trained.version, newUsers: 1, newItems: 1, edgesSince: 2 });
    expect(continued.training.trainedThrough).toBe(later.toISOString());
    await untilServed(server, continued.version);

    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    expect(readdirSync(join(env.MODEL_DIR, '.serving'))).toEqual([]);
    // Nothing of the work folders is left beside MODEL_DIR.
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 240_000);

  it('refuses --reload with --out, and a run without --from-store', async () => {
    expect((await train(env, '--from-store', '--out', join(root, 'elsewhere'), '--reload')).code).toBe(2);
    expect((await train(env)).code).toBe(2);
  });
});
