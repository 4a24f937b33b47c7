import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_OUTPUTS, readModelFolder, type ModelOutputs, type RunInputs, type TensorData } from '../../src/inference/index.js';
import { joinRows, splitRows } from '../../src/inference/row-chunks.js';
import { ServingTables } from '../../src/inference/serving-tables.js';
import { InferenceWorkerPool } from '../../src/inference/worker-pool.js';

const ITEMS = 1920;
const USERS = 3000;

/** `rows` rows that all differ: their neighbours, how many slots are real, and which candidates are allowed. */
function inputs(rows: number, explained = 3): RunInputs {
  const [f1, f2] = [12, 4];
  const int64 = (dims: number[], at: (i: number) => number): TensorData => ({
    type: 'int64',
    data: BigInt64Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => BigInt(at(i))),
    dims,
  });
  const float32 = (dims: number[], at: (i: number) => number): TensorData => ({
    type: 'float32',
    data: Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => at(i)),
    dims,
  });
  const row = (i: number, width: number) => Math.floor(i / width);
  return {
    hop1_items: int64([rows, f1], (i) => (i * 37 + 11) % ITEMS),
    hop1_weight: float32([rows, f1], (i) => 1 + (i % 5)),
    hop1_mask: float32([rows, f1], (i) => (i % f1 <= row(i, f1) % f1 ? 1 : 0)),
    hop2_users: int64([rows, f1, f2], (i) => (i * 53 + 7) % USERS),
    hop2_mask: float32([rows, f1, f2], (i) => (i % f2 <= row(i, f1 * f2) % f2 ? 1 : 0)),
    score_bias: float32([rows, ITEMS], (i) => ((i + row(i, ITEMS)) % 3 === 0 ? -1e9 : 0)),
    top_k: int64([1], () => 10),
    explain_ranks: int64([explained], (i) => i),
  };
}

/** Row `r` of every output of `outputs`, as plain arrays. */
function rowOf(outputs: ModelOutputs, r: number) {
  return Object.fromEntries(
    MODEL_OUTPUTS.map((name) => {
      const { data, dims } = outputs[name];
      const stride = dims.slice(1).reduce((a, b) => a * b, 1);
      return [name, Array.from(data.subarray(r * stride, (r + 1) * stride) as ArrayLike<number | bigint>)];
    }),
  );
}

describe('splitting a model run by rows', () => {
  it('cuts every per-row input into consecutive row ranges and gives each part its own top_k and explain_ranks', () => {
    const whole = inputs(7);
    const parts = splitRows(whole, 3);
    expect(parts.map((p) => p.hop1_items.dims[0])).toEqual([2, 2, 3]);
    expect(parts.flatMap((p) => Array.from(p.hop2_users.data as BigInt64Array))).toEqual(Array.from(whole.hop2_users.data as BigInt64Array));
    expect(parts.flatMap((p) => Array.from(p.score_bias.data as Float32Array))).toEqual(Array.from(whole.score_bias.data as Float32Array));
    for (const part of parts) {
      expect([...part.top_k.data]).toEqual([10n]);
      expect(part.top_k.data.buffer).not.toBe(whole.top_k.data.buffer);
      expect(part.explain_ranks.dims).toEqual([3]);
      expect(part.explain_ranks.data.buffer).not.toBe(whole.explain_ranks.data.buffer);
      expect(part.hop2_mask.dims.slice(1)).toEqual(whole.hop2_mask.dims.slice(1));
    }
  });

  it('never makes more parts than rows', () => {
    expect(splitRows(inputs(2), 5)).toHaveLength(2);
  });

  describe('across worker threads', () => {
    let splitting: InferenceWorkerPool;
    let whole: InferenceWorkerPool;
    beforeAll(async () => {
      const { onnx, tables } = await readModelFolder('models/demo');
      const init = { onnx, executionProvider: 'cpu' as const };
      [splitting, whole] = await Promise.all([
        InferenceWorkerPool.start(3, init, new ServingTables(tables), { splitMinRows: 2, heapMib: 256 }),
        InferenceWorkerPool.start(1, init, new ServingTables(tables), { splitMinRows: 0, heapMib: 256 }),
      ]);
    });
    afterAll(async () => {
      await splitting?.close();
      await whole?.close();
    });

    it('gives exactly the outputs of one unsplit run', async () => {
      const before = splitting.splitRuns;
      const [split, unsplit] = await Promise.all([splitting.run(inputs(7)), whole.run(inputs(7))]);
      expect(splitting.splitRuns).toBe(before + 1);
      for (const name of MODEL_OUTPUTS) {
        expect(split[name].dims).toEqual(unsplit[name].dims);
        expect(split[name].data).toEqual(unsplit[name].data);
      }
    });

    it('returns each row the outputs it gets when run alone, so rows never mix', async () => {
      const rows = 6;
      const all = await splitting.run(inputs(rows));
      for (let r = 0; r < rows; r++) {
        const [split, alone] = [rowOf(all, r), rowOf(await whole.run(splitRows(inputs(rows), rows)[r]!), 0)];
        expect(split.top_items).toEqual(alone.top_items);
        // A one-row run may take another kernel path (matrix-vector), so the last bit can differ.
        for (const name of MODEL_OUTPUTS.filter((n) => n !== 'top_items')) {
          const [a, b] = [split[name] as number[], alone[name] as number[]];
          expect(a).toHaveLength(b.length);
          expect(Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
        }
      }
    });

    it('keeps a run whole when it is too small to split or the other workers are busy', async () => {
      const before = splitting.splitRuns;
      await splitting.run(inputs(3));
      const busy = [splitting.run(inputs(8)), splitting.run(inputs(8)), splitting.run(inputs(8))];
      await Promise.all(busy);
      expect(splitting.splitRuns).toBe(before + 1);
    });

    it('joins outputs of one part as they are', async () => {
      const outputs = await whole.run(inputs(2));
      expect(joinRows([outputs])).toBe(outputs);
    });
  });
});
