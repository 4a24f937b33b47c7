import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleBatch, loadModel, MODEL_OUTPUTS, type RecommendationModel } from '../../src/inference/index.js';
import { Candidates } from '../../src/recommendations/index.js';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { openDemoStore } from '../support/demo-store.js';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const torchProbe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
const hasTorch = torchProbe.status === 0;
if (!hasTorch) console.warn(`SKIPPED PyTorch/onnxruntime parity: ${python} cannot import torch (apt-get install python3-torch)`);

describe.skipIf(!hasTorch)('PyTorch and onnxruntime-node agree on the bundled model', () => {
  let store: SqliteGraphStore;
  let model: RecommendationModel;
  beforeAll(async () => {
    store = await openDemoStore();
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await model?.close();
    await store?.close();
  });

  it('on real sampled neighbourhoods of demo users', async () => {
    const [hop1, hop2] = model.metadata.fanouts;
    const users = ['user-0001', 'user-0002', 'user-0500', 'user-2999'];
    const neighbourhoods = await store.neighbourhoods(users, { hop1, hop2 });
    const candidates = new Candidates(model.vocabulary, await store.items(model.metadata.items));
    const batch = assembleBatch(
      neighbourhoods,
      neighbourhoods.map((n) => candidates.bias(null, n.interactedItemIds)),
      model.vocabulary,
      100,
      3,
    );
    const onnx = await model.run(batch.inputs);

    const dir = mkdtempSync(join(tmpdir(), 'recograph-parity-'));
    const toJson = (t: { dims: readonly number[]; data: ArrayLike<number | bigint> }) => ({
      dims: t.dims,
      data: Array.from(t.data, Number),
    });
    writeFileSync(join(dir, 'in.json'), JSON.stringify(Object.fromEntries(Object.entries(batch.inputs).map(([k, t]) => [k, toJson(t)]))));
    const run = spawnSync(
      process.execPath,
      ['scripts/run-python.mjs', '-m', 'recograph_training.parity', '--model', 'models/demo', '--inputs', join(dir, 'in.json'), '--outputs', join(dir, 'out.json')],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const torch = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, { dims: number[]; data: number[] }>;

    for (const name of MODEL_OUTPUTS) {
      expect(torch[name]!.dims, name).toEqual([...onnx[name].dims]);
      if (name === 'top_items') continue;
      const theirs = torch[name]!.data;
      const worst = (onnx[name].data as Float32Array).reduce(
        (max, v, i) => Math.max(max, Math.abs(v - theirs[i]!) / Math.max(1, Math.abs(v))),
        0,
      );
      expect(worst, name).toBeLessThan(1e-4);
    }
    // Item order may only differ between items whose scores tie within rounding.
    const scores = onnx.top_scores.data as Float32Array;
    const items = Array.from(onnx.top_items.data as BigInt64Array, Number);
    items.forEach((item, i) => {
      const tied = Math.abs(scores[i]! - (scores[i + 1] ?? -Infinity)) < 1e-4 || Math.abs(scores[i]! - (scores[i - 1] ?? -Infinity)) < 1e-4;
      if (!tied) expect(torch.top_items!.data[i], `top_items[${i}]`).toBe(item);
    });
  });
});
