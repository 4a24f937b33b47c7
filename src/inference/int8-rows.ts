/**
 * Int8 candidate rows (compression `int8`, docs/model.md): each row is `values · scale` with
 * symmetric int8 values (`scale = max |x| / 127`), held row-major `[N, d]` and also as columns
 * `[d, N]` (column i is row i), the layout onnxruntime's MatMulInteger reads without a transpose.
 */

/** `row` as int8 values and their scale; a zero row gets scale 0. */
export function quantizeRow(row: Float32Array): { values: Int8Array; scale: number } {
  let largest = 0;
  for (const x of row) largest = Math.max(largest, Math.abs(x));
  const scale = Math.fround(largest / 127);
  const values = new Int8Array(row.length);
  if (scale > 0) for (let k = 0; k < row.length; k++) values[k] = Math.max(-127, Math.min(127, Math.round(row[k]! / scale)));
  return { values, scale };
}

/** Row-major int8 rows `[rows, d]` (as a model folder stores them) as columns `[d, rows]`. */
export function rowsToColumns(rows: Int8Array, count: number, d: number): Int8Array {
  const columns = new Int8Array(count * d);
  for (let i = 0; i < count; i++) for (let k = 0; k < d; k++) columns[k * count + i] = rows[i * d + k]!;
  return columns;
}

/** The first `count` columns of a `[d, width]` column table, as a `[d, count]` one (a copy unless they are all). */
export function leadingColumns(columns: Int8Array, width: number, count: number, d: number): Int8Array {
  if (count === width) return columns;
  const leading = new Int8Array(count * d);
  for (let k = 0; k < d; k++) leading.set(columns.subarray(k * width, k * width + count), k * count);
  return leading;
}

/** The first `count` dequantized rows `[count, d]` of int8 rows and their scales. */
export function dequantizedRows(rows: Int8Array, scales: Float32Array, count: number, d: number): Float32Array {
  const values = new Float32Array(count * d);
  for (let i = 0; i < count; i++) for (let k = 0; k < d; k++) values[i * d + k] = rows[i * d + k]! * scales[i]!;
  return values;
}
