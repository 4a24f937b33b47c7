import { describe, expect, it } from 'vitest';
import { quantizeRow, rowsToColumns } from '../../src/inference/int8-rows.js';
import { ServingTables, type TableInputs } from '../../src/inference/serving-tables.js';

const d = 4;
/** Two trained int8 rows, as a model folder of compression int8 holds them. */
function int8Tables(): ServingTables {
  const rows = Int8Array.of(127, 0, -64, 1, 0, 127, 0, -127);
  return new ServingTables({
    dim: d,
    itemRows: 2,
    items: new Float32Array(2 * d),
    candidates: { kind: 'int8', rows, columns: rowsToColumns(rows, 2, d), scales: Float32Array.of(0.01, 0.02) },
    contextUsers: new Float32Array(d),
  });
}

const columnsOf = (tables: TableInputs) => Array.from(tables.candidate_columns!.data as Int8Array);

describe('int8 serving tables', () => {
  it('quantize a row to int8 values within half a step of it, with max |x| / 127 as its scale', () => {
    const row = Float32Array.of(0.5, -0.25, 0.1, 0);
    const { values, scale } = quantizeRow(row);
    expect(scale).toBeCloseTo(0.5 / 127, 7);
    expect(Array.from(values)).toEqual([127, -64, 25, 0]);
    values.forEach((v, k) => expect(Math.abs(v * scale - row[k]!)).toBeLessThanOrEqual(scale / 2));
    expect(quantizeRow(new Float32Array(d)).scale).toBe(0);
  });

  it('give a run its rows, their columns [d, N] and the scales; an appended row is quantized into all three', async () => {
    const tables = int8Tables();
    expect(Array.from(tables.candidateRows().subarray(0, d))).toEqual([1.27, 0, -0.64, 0.01].map(Math.fround));
    tables.write([{ index: 2, item: new Float32Array(d).fill(1), candidate: Float32Array.of(0, 0, 0.5, 0) }]);
    await tables.during(3, async (inputs) => {
      expect(inputs.candidate_table!.dims).toEqual([3, d]);
      expect(inputs.candidate_columns!.dims).toEqual([d, 3]);
      expect(Array.from(inputs.candidate_table!.data as Int8Array).slice(8, 12)).toEqual([0, 0, 127, 0]);
      expect(columnsOf(inputs)).toEqual([127, 0, 0, 0, 127, 0, -64, 0, 127, 1, -127, 0]);
      expect(Array.from(inputs.candidate_scale!.data as Float32Array)).toEqual([0.01, 0.02, Math.fround(0.5 / 127)].map(Math.fround));
    });
    // The dequantized rows made before the write are kept up to date by it.
    expect(tables.candidateRows()).toHaveLength(3 * d);
    expect(Array.from(tables.candidateRows().subarray(8, 12))).toEqual([0, 0, 127 * Math.fround(0.5 / 127), 0].map(Math.fround));
  });

  it('keep a run on the rows it was assembled for while rows are overwritten and appended', async () => {
    const tables = int8Tables();
    await tables.during(2, async (inputs) => {
      tables.write([{ index: 2, item: new Float32Array(d), candidate: Float32Array.of(1, 0, 0, 0) }]);
      tables.write([{ index: 2, item: new Float32Array(d), candidate: Float32Array.of(0, 1, 0, 0) }]);
      expect(columnsOf(inputs)).toEqual([127, 0, 0, 127, -64, 0, 1, -127]);
    });
    // A run assembled before the append covers the first two columns only.
    await tables.during(2, async (inputs) => expect(columnsOf(inputs)).toEqual([127, 0, 0, 127, -64, 0, 1, -127]));
    await tables.during(3, async (inputs) => expect(columnsOf(inputs).filter((_, i) => i % 3 === 2)).toEqual([0, 127, 0, 0]));
    expect(tables.snapshot().candidates).toMatchObject({ kind: 'int8', scales: Float32Array.of(0.01, 0.02, 1 / 127) });
  });
});
