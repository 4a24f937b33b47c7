import type { Logger } from 'pino';
import { GraphStoreUnavailableError, IdempotencyConflictError, UnknownItemsError, type GraphStore } from './store.js';

const UNAVAILABLE = 'The graph store is unavailable';

export interface StoreAvailabilityOptions {
  /** How often `ping` is called, whether the store is up or down. */
  readonly probeIntervalMs: number;
  readonly logger: Logger;
}

/**
 * Watches a store's reachability and fails fast while it is down.
 *
 * A store call that fails with anything but a domain error triggers an immediate `ping`; when the
 * ping fails too, the store is marked unavailable and every call rejects at once with
 * `GraphStoreUnavailableError` (no waiting on a locked file or a dead connection) until a periodic
 * probe succeeds again. Adapter-agnostic: each adapter's `ping` defines "reachable".
 */
export class StoreAvailability {
  private up = true;
  private readonly timer: NodeJS.Timeout;
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
      await this.inner.ping();
      reachable = true;
    } catch (error) {
      if (this.up) this.options.logger.error({ err: error }, 'graph store unavailable');
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
        return async (...args: unknown[]) => {
          if (!this.up) throw new GraphStoreUnavailableError(UNAVAILABLE);
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (error) {
            if (error instanceof UnknownItemsError || error instanceof IdempotencyConflictError) throw error;
            if (await this.probe()) throw error;
            throw new GraphStoreUnavailableError(UNAVAILABLE, { cause: error });
          }
        };
      },
    });
  }
}
