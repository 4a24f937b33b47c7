import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, MODEL_OUTPUTS, type RecommendationModel, type TensorData } from '../../src/inference/index.js';

const logger = pino({ level: 'silent' });

/** A batch of `users` rows with distinct, real item and co-user indices. */
function inputs(model: RecommendationModel, users: number) {
  const [f1, f2] = [6, 3];
  const n = model.vocabulary.itemCount;
  const int64 = (dims: number[], at: (i: number) => number): TensorData => ({
    type: 'int64',
    data: BigInt64Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => BigInt(at(i))),
    dims,
  });
  const float32 = (dims: number[], value: number): TensorData => ({
    type: 'float32',
    data: new Float32Array(dims.reduce((a, b) => a * b)).fill(value),
    dims,
  });
  return {
    hop1_items: int64([users, f1], (i) => (i * 37) % n),
    hop1_weight: float32([users, f1], 1),
    hop1_mask: float32([users, f1], 1),
    hop2_users: int64([users, f1, f2], (i) => (i * 53) % model.vocabulary.userIndex.size),
    hop2_mask: float32([users, f1, f2], 1),
    score_bias: float32([users, n], 0),
    top_k: int64([1], () => 10),
    explain_ranks: int64([3], (i) => i),
  };
}

describe('inference in worker threads', () => {
  let onLoop: RecommendationModel;
  let inWorkers: RecommendationModel;
  beforeAll(async () => {
    [onLoop, inWorkers] = await Promise.all([
      loadModel('models/demo', { executionProvider: 'cpu', logger }),
      loadModel('models/demo', { executionProvider: 'cpu', logger, workers: 2 }),
    ]);
  });
  afterAll(async () => {
    await onLoop?.close();
    await inWorkers?.close();
  });

  it('gives the same outputs as a run on the calling thread', async () => {
    const expected = await onLoop.run(inputs(onLoop, 4));
    const actual = await inWorkers.run(inputs(inWorkers, 4));
    for (const name of MODEL_OUTPUTS) {
      expect(actual[name].dims).toEqual(expected[name].dims);
      if (name === 'top_items') {
        expect(actual[name].data).toEqual(expected[name].data);
        continue;
      }
      // Thread counts differ (one per worker session), so summation order may too.
      const [a, e] = [actual[name].data as Float32Array, expected[name].data as Float32Array];
      expect(Math.max(...a.map((v, i) => Math.abs(v - e[i]!)))).toBeLessThan(1e-4);
    }
  });

  it('moves the input tensors to the worker instead of copying them', async () => {
    const batch = inputs(inWorkers, 2);
    await inWorkers.run(batch);
    expect(batch.score_bias.data.byteLength).toBe(0);
    expect(batch.hop1_items.data.byteLength).toBe(0);
  });

  it('sends item rows to every worker ahead of later runs, including workers started after them', async () => {
    const vector = new Float32Array(inWorkers.metadata.embeddingDim).fill(0.5);
    for (const model of [onLoop, inWorkers]) model.writeItemVectors([{ id: 'brand-new', vector }]);
    const row = inWorkers.vocabulary.itemIndex.get('brand-new')!;
    expect(row).toBe(inWorkers.vocabulary.trainedItemCount);
    // Only the new item is a candidate: every worker must score it from the row just written.
    const only = (model: RecommendationModel) => {
      const batch = inputs(model, 1);
      (batch.score_bias.data as Float32Array).fill(-1e9)[row] = 0;
      return batch;
    };
    const expected = await onLoop.run(only(onLoop));
    const results = await Promise.all([1, 2, 3, 4].map(() => inWorkers.run(only(inWorkers))));
    for (const outputs of results) {
      expect(outputs.top_items.data[0]).toBe(BigInt(row));
      expect(Math.abs((outputs.top_scores.data[0] as number) - (expected.top_scores.data[0] as number))).toBeLessThan(1e-4);
    }
    expect(() => inWorkers.writeItemVectors([{ id: inWorkers.vocabulary.itemId(0), vector }])).toThrow(/trained row/);
  });

  it('runs concurrent batches across the pool and returns each its own rows', async () => {
    const sizes = [1, 3, 2, 5, 4, 1];
    const results = await Promise.all(sizes.map((users) => inWorkers.run(inputs(inWorkers, users))));
    results.forEach((outputs, i) => expect(outputs.top_scores.dims[0]).toBe(sizes[i]));
  });
});
