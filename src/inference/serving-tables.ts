import { dequantizedRows, leadingColumns, quantizeRow } from './int8-rows.js';
import type { TableInputName } from './model-contract.js';
import type { TensorData } from './tensors.js';

/**
 * The candidate table as served: fp32 rows `[N, d]`, or (compression `int8`) int8 rows `[N, d]` with
 * a scale per item (row i is `rows[i] · scales[i]`), also held as columns `[d, N]` for the integer
 * MatMul. Rows and scales may be longer than `N` (room to grow); columns are exactly `N` wide.
 */
export type CandidateTable =
  | { readonly kind: 'float32'; readonly rows: Float32Array }
  | { readonly kind: 'int8'; readonly rows: Int8Array; readonly columns: Int8Array; readonly scales: Float32Array };

/** The tables as a worker is started with them (plain arrays: they are copied to it). */
export interface TablesSnapshot {
  readonly dim: number;
  readonly itemRows: number;
  readonly items: Float32Array;
  readonly candidates: CandidateTable;
  readonly contextUsers: Float32Array;
}

/** One item row to write: its neighbour (`item`) and candidate (`candidate`) vectors. */
export interface ItemRowWrite {
  readonly index: number;
  readonly item: Float32Array;
  readonly candidate: Float32Array;
}

export type TableInputs = Readonly<Partial<Record<TableInputName, TensorData>>>;

/** The table inputs of a run over the first `itemRows` items of `tables` (views, or a copy of leading int8 columns). */
export function tableInputs(tables: TablesSnapshot, itemRows: number): TableInputs {
  const { dim: d, candidates, contextUsers } = tables;
  const common = {
    item_table: { type: 'float32', data: tables.items.subarray(0, itemRows * d), dims: [itemRows, d] },
    context_user_table: { type: 'float32', data: contextUsers, dims: [contextUsers.length / d, d] },
  } as const;
  if (candidates.kind === 'float32') {
    return { ...common, candidate_table: { type: 'float32', data: candidates.rows.subarray(0, itemRows * d), dims: [itemRows, d] } };
  }
  return {
    ...common,
    candidate_table: { type: 'int8', data: candidates.rows.subarray(0, itemRows * d), dims: [itemRows, d] },
    candidate_columns: { type: 'int8', data: leadingColumns(candidates.columns, tables.itemRows, itemRows, d), dims: [d, itemRows] },
    candidate_scale: { type: 'float32', data: candidates.scales.subarray(0, itemRows), dims: [itemRows] },
  };
}

/**
 * The model's embedding tables as served (contract v3): runs read them as inputs, and the item and
 * candidate tables grow as items are added. A write never changes a buffer a run may be reading:
 * while runs are in flight it writes into a copy, which later runs use. Int8 candidate columns are
 * exactly as wide as the rows in use, so appending a row always copies them (`N × d` bytes).
 */
export class ServingTables {
  readonly dim: number;
  private items: Float32Array;
  private candidates: CandidateTable;
  private rows: number;
  private readonly contextUsers: Float32Array;
  private running = 0;
  /** Int8 only: the dequantized candidate rows, made when first asked for, then kept up to date by writes. */
  private dequantized: Float32Array | null = null;

  constructor(tables: TablesSnapshot) {
    this.dim = tables.dim;
    this.rows = tables.itemRows;
    this.items = tables.items;
    this.candidates = tables.candidates;
    this.contextUsers = tables.contextUsers;
  }

  get itemRows(): number {
    return this.rows;
  }

  /**
   * Runs `work` with the table inputs over the first `itemRows` item rows (a batch's score bias
   * was sized then: rows appended since are not its items).
   */
  async during<T>(itemRows: number, work: (tables: TableInputs) => Promise<T>): Promise<T> {
    if (itemRows > this.rows) throw new RangeError(`the run covers ${itemRows} items, the tables hold ${this.rows}`);
    const tables = tableInputs(this.current(), itemRows);
    this.running++;
    try {
      return await work(tables);
    } finally {
      this.running--;
    }
  }

  /**
   * The candidate rows in use now (`itemRows × dim`, dequantized for int8), not copied: read them
   * before the next `write`, which may move them.
   */
  candidateRows(): Float32Array {
    if (this.candidates.kind === 'float32') return this.candidates.rows.subarray(0, this.rows * this.dim);
    this.dequantized ??= dequantizedRows(this.candidates.rows, this.candidates.scales, this.rows, this.dim);
    return this.dequantized.subarray(0, this.rows * this.dim);
  }

  /** Overwrites rows below `itemRows` and appends the rest, which must follow on without gaps. */
  write(rows: readonly ItemRowWrite[]): void {
    const d = this.dim;
    let end = this.rows;
    for (const { index, item, candidate } of rows) {
      if (index > end || item.length !== d || candidate.length !== d) throw new RangeError(`bad item row ${index}`);
      end = Math.max(end, index + 1);
    }
    const copy = rows.some((r) => r.index < this.rows) && this.running > 0;
    if (end * d > this.items.length || copy) {
      const capacity = Math.max(end, Math.ceil(this.rows * 1.25) + 16) * d;
      this.items = grown(this.items, this.rows * d, capacity);
      const c = this.candidates;
      this.candidates =
        c.kind === 'float32'
          ? { kind: 'float32', rows: grown(c.rows, this.rows * d, capacity) }
          : { kind: 'int8', rows: grown(c.rows, this.rows * d, capacity), columns: c.columns, scales: grown(c.scales, this.rows, capacity / d) };
    }
    const c = this.candidates;
    if (c.kind === 'int8' && (end > this.rows || copy)) this.candidates = { ...c, columns: widened(c.columns, this.rows, end, d) };
    if (this.dequantized && this.dequantized.length < end * d) this.dequantized = grown(this.dequantized, this.rows * d, this.items.length);
    for (const { index, item, candidate } of rows) {
      this.items.set(item, index * d);
      const table = this.candidates;
      if (table.kind === 'float32') {
        table.rows.set(candidate, index * d);
      } else {
        const { values, scale } = quantizeRow(candidate);
        table.rows.set(values, index * d);
        for (let k = 0; k < d; k++) table.columns[k * end + index] = values[k]!;
        table.scales[index] = scale;
        this.dequantized?.set(Float32Array.from(values, (v) => v * scale), index * d);
      }
    }
    this.rows = end;
  }

  /** The rows in use now, copied: what a new worker starts from. */
  snapshot(): TablesSnapshot {
    const { dim, rows } = this;
    const candidates: CandidateTable =
      this.candidates.kind === 'float32'
        ? { kind: 'float32', rows: this.candidates.rows.slice(0, rows * dim) }
        : {
            kind: 'int8',
            rows: this.candidates.rows.slice(0, rows * dim),
            columns: this.candidates.columns.slice(),
            scales: this.candidates.scales.slice(0, rows),
          };
    return { dim, itemRows: rows, items: this.items.slice(0, rows * dim), candidates, contextUsers: this.contextUsers };
  }

  /** The tables in use now, as views (int8 columns are exactly `itemRows` wide). */
  private current(): TablesSnapshot {
    return { dim: this.dim, itemRows: this.rows, items: this.items, candidates: this.candidates, contextUsers: this.contextUsers };
  }
}

function grown<T extends Float32Array | Int8Array>(array: T, used: number, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array.subarray(0, used));
  return next;
}

/** New int8 columns `[d, width]` holding the first `used` columns of `columns` (the rest zero). */
function widened(columns: Int8Array, used: number, width: number, d: number): Int8Array {
  const next = new Int8Array(width * d);
  for (let k = 0; k < d; k++) next.set(columns.subarray(k * used, k * used + used), k * width);
  return next;
}
