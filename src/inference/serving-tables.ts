import type { TableInputName } from './model-contract.js';
import type { TensorData } from './tensors.js';

/** The tables as a worker is started with them (plain arrays: they are copied to it). */
export interface TablesSnapshot {
  readonly dim: number;
  readonly itemRows: number;
  readonly items: Float32Array;
  readonly candidates: Float32Array;
  readonly contextUsers: Float32Array;
}

/** One item row to write: its neighbour (`item`) and candidate (`candidate`) vectors. */
export interface ItemRowWrite {
  readonly index: number;
  readonly item: Float32Array;
  readonly candidate: Float32Array;
}

export type TableInputs = Readonly<Record<TableInputName, TensorData>>;

/**
 * The model's embedding tables as served (contract v3): runs read them as inputs, and the item and
 * candidate tables grow as items are added. A write never changes a buffer a run may be reading:
 * while runs are in flight it writes into a copy, which later runs use.
 */
export class ServingTables {
  readonly dim: number;
  private items: Float32Array;
  private candidates: Float32Array;
  private rows: number;
  private readonly contextUsers: Float32Array;
  private running = 0;

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
    const d = this.dim;
    const tables: TableInputs = {
      item_table: { type: 'float32', data: this.items.subarray(0, itemRows * d), dims: [itemRows, d] },
      candidate_table: { type: 'float32', data: this.candidates.subarray(0, itemRows * d), dims: [itemRows, d] },
      context_user_table: { type: 'float32', data: this.contextUsers, dims: [this.contextUsers.length / d, d] },
    };
    this.running++;
    try {
      return await work(tables);
    } finally {
      this.running--;
    }
  }

  /**
   * The candidate rows in use now (`itemRows × dim`), not copied: read them before the next
   * `write`, which may move them.
   */
  candidateRows(): Float32Array {
    return this.candidates.subarray(0, this.rows * this.dim);
  }

  /** Overwrites rows below `itemRows` and appends the rest, which must follow on without gaps. */
  write(rows: readonly ItemRowWrite[]): void {
    const d = this.dim;
    let end = this.rows;
    for (const { index, item, candidate } of rows) {
      if (index > end || item.length !== d || candidate.length !== d) throw new RangeError(`bad item row ${index}`);
      end = Math.max(end, index + 1);
    }
    const overwrites = rows.some((r) => r.index < this.rows);
    if (end * d > this.items.length || (overwrites && this.running > 0)) {
      const capacity = Math.max(end, Math.ceil(this.rows * 1.25) + 16) * d;
      this.items = grown(this.items, this.rows * d, capacity);
      this.candidates = grown(this.candidates, this.rows * d, capacity);
    }
    for (const { index, item, candidate } of rows) {
      this.items.set(item, index * d);
      this.candidates.set(candidate, index * d);
    }
    this.rows = end;
  }

  /** The rows in use now, copied: what a new worker starts from. */
  snapshot(): TablesSnapshot {
    const used = this.rows * this.dim;
    return {
      dim: this.dim,
      itemRows: this.rows,
      items: this.items.slice(0, used),
      candidates: this.candidates.slice(0, used),
      contextUsers: this.contextUsers,
    };
  }
}

function grown(array: Float32Array, used: number, capacity: number): Float32Array {
  const next = new Float32Array(capacity);
  next.set(array.subarray(0, used));
  return next;
}
