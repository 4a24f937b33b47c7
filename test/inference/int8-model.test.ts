import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteGraphStore } from '../../src/graph/index.js';
import { assembleBatch, dot, loadModel, readUserScores, type RecommendationModel } from '../../src/inference/index.js';
import { Candidates } from '../../src/recommendations/index.js';
import { openDemoStore } from '../support/demo-store.js';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.warn(`SKIPPED int8 model tests: ${python} cannot import torch and onnx to write the int8 folder (apt-get install python3-torch python3-onnx)`);

const logger = pino({ level: 'silent' });
const USERS = Array.from({ length: 60 }, (_, i) => `user-${String(1 + i * 47).padStart(4, '0')}`);
const TOP = 20;

describe.skipIf(!hasTorch)('an int8 model folder (compression int8) of the bundled demo model', () => {
  let store: SqliteGraphStore;
  let fp32: RecommendationModel;
  let int8: RecommendationModel;
  let int8Dir: string;

  beforeAll(async () => {
    int8Dir = join(mkdtempSync(join(tmpdir(), 'recograph-int8-')), 'model');
    const run = spawnSync(
      process.execPath,
      ['scripts/run-python.mjs', '-m', 'recograph_training.compress', '--model', 'models/demo', '--out', int8Dir, '--tables', 'int8'],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    store = await openDemoStore();
    [fp32, int8] = await Promise.all([loadModel('models/demo', { executionProvider: 'cpu', logger }), loadModel(int8Dir, { executionProvider: 'cpu', logger })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([fp32?.close(), int8?.close()]);
    await store?.close();
  });

  /** The users' top 20 without their own items; `everyRow` keeps rows the store does not offer (written ones). */
  async function ranked(model: RecommendationModel, users: readonly string[], { explained = 0, everyRow = false } = {}) {
    const [hop1, hop2] = model.metadata.fanouts;
    const neighbourhoods = await store.neighbourhoods(users, { hop1, hop2 });
    const candidates = new Candidates(model.vocabulary, await store.items(model.metadata.items));
    const biases = neighbourhoods.map((n) => (everyRow ? new Float32Array(model.vocabulary.itemCount) : candidates.bias(null, n.interactedItemIds)));
    const batch = assembleBatch(neighbourhoods, biases, model.vocabulary, TOP, explained);
    const outputs = await model.run(batch.inputs);
    return users.map((_, row) => ({ ...readUserScores(outputs, row), hop1Width: batch.hop1Width }));
  }

  it('declares its variant and keeps a quarter of the candidate table on disk', () => {
    expect(int8.info.compression).toBe('int8');
    expect(fp32.info.compression).toBe('none');
    const metadata = JSON.parse(readFileSync(join(int8Dir, 'model.json'), 'utf8')) as { tables: Record<string, { file: string }> };
    expect(metadata.tables.candidates!.file).toMatch(/^candidates-[0-9a-f]{12}\.i8$/);
    expect(metadata.tables.candidateScales!.file).toMatch(/^candidate-scales-[0-9a-f]{12}\.f32$/);
  });

  it('recommends nearly the same top 20 as the fp32 model, with the user vectors unchanged', async () => {
    const [exact, compressed] = await Promise.all([ranked(fp32, USERS), ranked(int8, USERS)]);
    let shared = 0;
    USERS.forEach((_, u) => {
      expect(Array.from(compressed[u]!.userVector)).toEqual(Array.from(exact[u]!.userVector));
      const theirs = new Set(exact[u]!.ranked.map((r) => r.itemIndex));
      shared += compressed[u]!.ranked.filter((r) => theirs.has(r.itemIndex)).length;
    });
    expect(shared / (USERS.length * TOP)).toBeGreaterThan(0.9);
  });

  it('returns exact scores of the dequantized rows, and contributions that add up to them', async () => {
    const rows = int8.candidateRows();
    const d = int8.metadata.embeddingDim;
    for (const scores of await ranked(int8, USERS.slice(0, 8), { explained: 5 })) {
      scores.ranked.forEach(({ itemIndex, score }, r) => {
        expect(score).toBeCloseTo(dot(scores.userVector, rows.subarray(itemIndex * d, (itemIndex + 1) * d)), 4);
        if (r >= 5) return;
        let sum = 0;
        for (let f = 0; f < scores.hop1Width; f++) sum += scores.hop1Contribution(r, f);
        expect(sum).toBeCloseTo(score, 4);
      });
      // Best first.
      expect(scores.ranked.every((r, k) => k === 0 || r.score <= scores.ranked[k - 1]!.score)).toBe(true);
    }
  });

  it('quantizes a row written while serving, and scores the new item like a trained one', async () => {
    const [user] = await ranked(int8, ['user-0001']);
    const vector = user!.userVector.map((x) => x * 3);
    int8.writeItemVectors([{ id: 'item-new-int8', vector }]);
    const row = int8.vocabulary.rowFor('item-new-int8');
    const d = int8.metadata.embeddingDim;
    const stored = int8.candidateRows().subarray(row * d, (row + 1) * d);
    const norm = Math.hypot(...stored);
    expect(norm).toBeCloseTo(1, 2);
    // Its own direction: nothing scores higher for that user.
    const [after] = await ranked(int8, ['user-0001'], { everyRow: true });
    expect(after!.ranked[0]!.itemIndex).toBe(row);
  });

  it('answers the same from an inference worker, rows written while serving included', async () => {
    const pooled = await loadModel(int8Dir, { executionProvider: 'cpu', logger, workers: 1 });
    try {
      const vector = new Float32Array(int8.metadata.embeddingDim).fill(0.5);
      for (const model of [int8, pooled]) model.writeItemVectors([{ id: 'item-new-int8', vector }, { id: 'item-new-int8-b', vector: vector.map((x, k) => (k % 2 ? x : -x)) }]);
      const [here, there] = await Promise.all([ranked(int8, USERS.slice(0, 10), { explained: 3, everyRow: true }), ranked(pooled, USERS.slice(0, 10), { explained: 3, everyRow: true })]);
      there.forEach((scores, u) => expect(scores.ranked).toEqual(here[u]!.ranked));
    } finally {
      await pooled.close();
    }
  });
});
