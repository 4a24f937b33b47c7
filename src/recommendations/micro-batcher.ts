export interface MicroBatcherOptions {
  /** Most keys one batch may hold; a single call with more keys still runs, alone. */
  readonly maxBatchSize: number;
  /** Longest a call waits for others to join while earlier batches are still running. */
  readonly maxWaitMs: number;
  /** Batches allowed to run at once before new calls start to wait and merge. */
  readonly maxInFlight: number;
  /** Told about every batch that starts: how many keys, from how many calls. */
  readonly onBatch?: (keys: number, calls: number) => void;
}

interface PendingCall<K, V> {
  readonly keys: readonly K[];
  resolve(values: V[]): void;
  reject(error: unknown): void;
}

/**
 * Merges the keys of concurrent calls into one call of `run`, then hands each caller back the
 * values aligned with its own keys. Adaptive: while fewer than `maxInFlight` batches run, a call
 * starts at the next turn of the event loop (so an idle server adds no wait); once they are busy,
 * calls queue and go together when a batch finishes, the queue fills, or `maxWaitMs` passes.
 */
export class MicroBatcher<K, V> {
  private queue: PendingCall<K, V>[] = [];
  private queuedKeys = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    private readonly run: (keys: readonly K[]) => Promise<V[]>,
    private readonly options: MicroBatcherOptions,
  ) {}

  load(keys: readonly K[]): Promise<V[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise<V[]>((resolve, reject) => {
      this.queue.push({ keys, resolve, reject });
      this.queuedKeys += keys.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queuedKeys >= this.options.maxBatchSize) {
      this.dispatch();
    } else if (this.inFlight < this.options.maxInFlight) {
      this.immediate ??= setImmediate(() => this.dispatch());
    } else {
      this.timer ??= setTimeout(() => this.dispatch(), this.options.maxWaitMs);
    }
  }

  private dispatch(): void {
    this.cancelTimers();
    while (this.queue.length > 0) {
      this.start(this.takeBatch());
      if (this.queuedKeys < this.options.maxBatchSize) break;
    }
    if (this.queue.length > 0) this.schedule();
  }

  /** Whole calls, oldest first, up to `maxBatchSize` keys (at least one call). */
  private takeBatch(): PendingCall<K, V>[] {
    let size = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count]!.keys.length;
      if (count > 0 && size + next > this.options.maxBatchSize) break;
      size += next;
      count++;
    }
    this.queuedKeys -= size;
    return this.queue.splice(0, count);
  }

  private start(calls: PendingCall<K, V>[]): void {
    const keys = calls.length === 1 ? calls[0]!.keys : calls.flatMap((c) => c.keys);
    this.inFlight++;
    this.options.onBatch?.(keys.length, calls.length);
    // A synchronous throw in `run` must reject these calls, not escape into the timer callback.
    new Promise<V[]>((resolve) => resolve(this.run(keys)))
      .then((values) => {
        if (values.length !== keys.length) throw new Error(`batch returned ${values.length} values for ${keys.length} keys`);
        let offset = 0;
        for (const call of calls) {
          call.resolve(values.slice(offset, offset + call.keys.length));
          offset += call.keys.length;
        }
      })
      .catch((error: unknown) => {
        for (const call of calls) call.reject(error);
      })
      .finally(() => {
        this.inFlight--;
        if (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) this.dispatch();
      });
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}
