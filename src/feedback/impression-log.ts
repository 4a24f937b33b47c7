import type { Logger } from 'pino';
import type { GraphStore, Impression } from '../graph/index.js';

export interface ImpressionLogOptions {
  /** How often pending impressions are written. */
  readonly flushMs: number;
  /** Answers kept while the store cannot take them; more are dropped and counted. */
  readonly maxPending: number;
  /** Called with the number of answers dropped. */
  readonly onDropped: (answers: number) => void;
}

/** A batch this large is written at once rather than at the next tick of the timer. */
const FLUSH_AT = 1000;

/**
 * Keeps served answers' impressions off the request path: an answer only joins a buffer, and the
 * buffer is written to the store in one call every `flushMs` (or once it holds `FLUSH_AT`
 * answers). A failed write keeps its batch for the next one, up to `maxPending` answers.
 */
export class ImpressionLog {
  private pending: Impression[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: Pick<GraphStore, 'recordImpressions'>,
    private readonly logger: Logger,
    private readonly options: ImpressionLogOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  record(impression: Impression): void {
    if (this.pending.length >= this.options.maxPending) {
      this.options.onDropped(1);
      return;
    }
    this.pending.push(impression);
    if (this.pending.length === FLUSH_AT) void this.flush();
  }

  /** Writes what is pending now; resolves once written (or kept for the next try). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.recordImpressions(batch);
    } catch (error) {
      const kept = [...batch, ...this.pending];
      const dropped = Math.max(0, kept.length - this.options.maxPending);
      this.pending = kept.slice(0, kept.length - dropped);
      if (dropped > 0) this.options.onDropped(dropped);
      this.logger.warn({ err: error, pending: this.pending.length, dropped }, 'could not keep recommendation impressions; retrying at the next flush');
    }
  }
}
