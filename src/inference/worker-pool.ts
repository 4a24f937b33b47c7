import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelOutputs } from './batch-scores.js';
import { joinRows, rowCount, splitRows } from './row-chunks.js';
import type { ItemRowWrite, ServingTables } from './serving-tables.js';
import { transferables } from './session.js';
import type { RunInputs } from './tensors.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

interface PendingRun {
  resolve(outputs: ModelOutputs): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly pending: Map<number, PendingRun>;
}

export interface WorkerPoolOptions {
  /**
   * Fewest rows each part of a split run gets: a run of at least twice as many rows is split by
   * rows across the workers idle at that moment. 0 never splits.
   */
  readonly splitMinRows: number;
  /** Each worker's V8 old-generation limit; a worker over it dies, fails its runs and is replaced. */
  readonly heapMib: number;
}

/**
 * A few worker threads, each with its own session of the same model. A run goes to the worker with
 * the fewest runs waiting, or, when it is big and several workers are idle, is split by rows across
 * them (busy workers are never waited for, so under load runs stay whole); its input buffers are
 * transferred, so the caller must not reuse them. A worker that dies fails its own runs and is replaced.
 */
export class InferenceWorkerPool {
  private readonly workers: PoolWorker[] = [];
  /** Every live thread, ready or still starting: row writes go to all of them. */
  private readonly threads = new Set<Worker>();
  private nextId = 0;
  private closed = false;
  private splits = 0;

  private constructor(
    private readonly init: Omit<WorkerInit, 'tables'>,
    private readonly tables: ServingTables,
    private readonly options: WorkerPoolOptions,
  ) {}

  /** Workers start from `tables` as they are when each starts, and are sent every later `writeRows`. */
  static async start(size: number, init: Omit<WorkerInit, 'tables'>, tables: ServingTables, options: WorkerPoolOptions): Promise<InferenceWorkerPool> {
    const pool = new InferenceWorkerPool(init, tables, options);
    try {
      await Promise.all(Array.from({ length: size }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends row writes to every worker, ahead of any run sent after them. */
  writeRows(rows: readonly ItemRowWrite[]): void {
    const request: WorkerRequest = { kind: 'rows', rows };
    for (const thread of this.threads) thread.postMessage(request);
  }

  run(inputs: RunInputs): Promise<ModelOutputs> {
    if (this.closed) return Promise.reject(new Error('the inference worker pool is closed'));
    if (this.workers.length === 0) return Promise.reject(new Error('no inference worker is running'));
    const { splitMinRows } = this.options;
    const idle = this.workers.filter((w) => w.pending.size === 0);
    const parts = splitMinRows > 0 ? Math.min(idle.length, Math.floor(rowCount(inputs) / splitMinRows)) : 0;
    if (parts >= 2) {
      this.splits++;
      return Promise.all(splitRows(inputs, parts).map((part, i) => this.send(idle[i]!, part))).then(joinRows);
    }
    return this.send(this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a)), inputs);
  }

  /** How many runs have been split across workers so far. */
  get splitRuns(): number {
    return this.splits;
  }

  private send(worker: PoolWorker, inputs: RunInputs): Promise<ModelOutputs> {
    const id = this.nextId++;
    const request: WorkerRequest = { kind: 'run', id, inputs };
    return new Promise<ModelOutputs>((resolve, reject) => {
      worker.pending.set(id, { resolve, reject });
      worker.thread.postMessage(request, transferables(Object.values(inputs)));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
  }

  private spawn(): Promise<void> {
    // A worker starts from the tables as they are now; writes from here on are queued to it.
    const thread = startWorker({ ...this.init, tables: this.tables.snapshot() }, this.options.heapMib);
    this.threads.add(thread);
    const worker: PoolWorker = { thread, pending: new Map() };
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      thread.on('message', (message: WorkerReply | { ready: true }) => {
        if ('ready' in message) {
          ready = true;
          this.workers.push(worker);
          resolve();
          return;
        }
        const run = worker.pending.get(message.id);
        worker.pending.delete(message.id);
        if ('error' in message) run?.reject(new Error(`model run failed: ${message.error}`));
        else run?.resolve(message.outputs);
      });
      thread.on('error', (error) => {
        if (!ready) reject(error);
        for (const run of worker.pending.values()) run.reject(error);
        worker.pending.clear();
      });
      thread.on('exit', () => {
        this.threads.delete(thread);
        const index = this.workers.indexOf(worker);
        if (index >= 0) this.workers.splice(index, 1);
        for (const run of worker.pending.values()) run.reject(new Error('inference worker exited'));
        if (!ready) reject(new Error('inference worker exited before it was ready'));
        else if (!this.closed) void this.spawn().catch(() => {});
      });
    });
  }
}

/** From compiled JavaScript the worker is a sibling file; from TypeScript sources (tests) tsx loads it. */
function startWorker(workerData: WorkerInit, heapMib: number): Worker {
  const source = new URL(import.meta.url.endsWith('.ts') ? './inference-worker.ts' : './inference-worker.js', import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: heapMib };
  if (source.pathname.endsWith('.js')) return new Worker(source, { workerData, resourceLimits });
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => tsx.tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}))`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [], resourceLimits });
}

/** tsx's ESM API, resolved through its exports map (`require.resolve` would pick the CommonJS build). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(manifest.exports['./esm/api']!.import.default, pathToFileURL(manifestPath)).href;
}
