import type { Logger } from 'pino';
import type { GraphStore } from '../graph/index.js';
import type { CatalogueFollower } from './recommendation-service.js';

/** Items read per page when catching up with the catalogue. */
const PAGE = 1000;

/**
 * Follows item writes made by other API processes (or the import): every `intervalMs` it reads the
 * items changed since the catalogue revision it has seen and tells the follower, so availability,
 * categories and new items' text rows reach this process within one interval. Writes through this
 * process's own API are followed before they answer; seeing them again here changes nothing.
 */
export class CatalogueSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: GraphStore,
    private readonly follower: CatalogueFollower,
    private revision: number,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /**
   * Starts from `revision`, read before the follower read the whole catalogue, so no write between
   * the two is missed. An interval of 0 follows nothing.
   */
  static start(store: GraphStore, follower: CatalogueFollower, revision: number, intervalMs: number, logger: Pick<Logger, 'warn'>): CatalogueSync {
    const sync = new CatalogueSync(store, follower, revision, logger);
    if (intervalMs > 0) {
      sync.timer = setInterval(() => void sync.catchUp(), intervalMs);
      sync.timer.unref();
    }
    return sync;
  }

  /** Reads and follows every change since the last one seen; one catch-up at a time. */
  catchUp(): Promise<void> {
    this.running = this.running.then(() => this.followChanges()).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not follow the catalogue; trying again at the next interval');
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async followChanges(): Promise<void> {
    for (;;) {
      const { items, revision } = await this.store.itemsChangedSince(this.revision, PAGE);
      if (items.length === 0) return;
      await this.follower.itemsChanged(items.map((item) => item.id));
      this.revision = revision;
    }
  }
}
