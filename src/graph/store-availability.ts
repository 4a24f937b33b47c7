import type { Logger } from 'pino';
import { ErasedInteractionsError, GraphStoreUnavailableError, IdempotencyConflictError, UnknownItemsError, type GraphStore } from './store.js';

const UNAVAILABLE = 'The graph store is unavailable';

export interface StoreAvailabilityOptions {
  /** How often `ping` is called, whether the store is up or down; also how long one ping may take. */
  readonly probeIntervalMs: number;
  readonly logger: Logger;
}

/** The port's writes: a caller must learn their real outcome, so an outage never abandons them. */
const WRITES: ReadonlySet<PropertyKey> = new Set(['recordInteractions', 'upsertItems', 'deleteUser'] satisfies (keyof GraphStore)[]);

/** Rejects when `promise` has not settled within `ms` (it still runs on; its outcome is dropped). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Watches a store's reachability and fails fast while it is down.
 *
 * A store call that fails with anything but a domain error triggers an immediate `ping`; when the
 * ping fails too, the store is marked unavailable and every call rejects at once with
 * `GraphStoreUnavailableError` (no waiting on a locked file or a dead connection) until a periodic
 * probe succeeds again. A ping that takes longer than a probe interval counts as failed, so a
 * store that hangs (a driver retrying, a lock held) is found down as fast as one that refuses.
 * Reads still waiting when the store is found down are answered at once with the same error;
 * writes wait for their real outcome. Adapter-agnostic: each adapter's `ping` defines "reachable".
 */
export class StoreAvailability {
  private up = true;
  private readonly timer: NodeJS.Timeout;
  /** One per read in flight: rejects it when the store is found down. */
  private readonly pendingReads = new Set<(error: Error) => void>();
  /** The store with every call guarded. */
  readonly store: GraphStore;

  constructor(
    private readonly inner: GraphStore,
    private readonly options: StoreAvailabilityOptions,
  ) {
    this.store = this.guard();
    this.timer = setInterval(() => void this.probe(), options.probeIntervalMs);
    this.timer.unref();
  }

  get available(): boolean {
    return this.up;
  }

  /** Pings the store now and records the answer. */
  async probe(): Promise<boolean> {
    let reachable: boolean;
    try {
      await within(this.inner.ping(), this.options.probeIntervalMs);
      reachable = true;
    } catch (error) {
      if (this.up) {
        this.options.logger.error({ err: error }, 'graph store unavailable');
        for (const abandon of this.pendingReads) abandon(new GraphStoreUnavailableError(UNAVAILABLE, { cause: error }));
      }
      reachable = false;
    }
    if (reachable && !this.up) this.options.logger.info('graph store available again');
    this.up = reachable;
    return reachable;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  // A Proxy rather than a hand-written wrapper per method, so that the guard follows the port as it grows.
  private guard(): GraphStore {
    const passThrough = new Set<PropertyKey>(['ping', 'close']);
    return new Proxy(this.inner, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || passThrough.has(property)) return value;
        const call = async (...args: unknown[]) => {
          if (!this.up) throw new GraphStoreUnavailableError(UNAVAILABLE);
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (error) {
            if (error instanceof UnknownItemsError || error instanceof ErasedInteractionsError || error instanceof IdempotencyConflictError) throw error;
            if (await this.probe()) throw error;
            throw new GraphStoreUnavailableError(UNAVAILABLE, { cause: error });
          }
        };
        if (WRITES.has(property)) return call;
        return (...args: unknown[]) =>
          new Promise((resolve, reject) => {
            this.pendingReads.add(reject);
            call(...args)
              .then(resolve, reject)
              .finally(() => this.pendingReads.delete(reject));
          });
      },
    });
  }
}
