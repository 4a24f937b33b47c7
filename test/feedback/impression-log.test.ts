import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ImpressionLog } from '../../src/feedback/index.js';
import type { Impression } from '../../src/graph/index.js';

const impression = (n: number): Impression => ({
  recommendationId: `r${n}`,
  userId: 'u1',
  surface: 'RECOMMENDATIONS',
  experiment: null,
  variant: null,
  modelVersion: 'm1',
  shownAt: new Date(0),
  items: [{ itemId: 'a', rank: 1 }],
});

describe('ImpressionLog', () => {
  const logger = pino({ level: 'silent' });

  it('writes nothing on the request path and everything pending in one call per flush', async () => {
    const batches: string[][] = [];
    const log = new ImpressionLog({ recordImpressions: async (batch) => void batches.push(batch.map((i) => i.recommendationId)) }, logger, {
      flushMs: 60_000,
      maxPending: 100,
      onDropped: () => {},
    });
    log.record(impression(1));
    log.record(impression(2));
    expect(batches).toEqual([]);
    await log.flush();
    await log.flush();
    expect(batches).toEqual([['r1', 'r2']]);
    await log.close();
  });

  it('keeps a batch the store refused for the next flush, and drops (counting) beyond its bound', async () => {
    let down = true;
    const written: string[] = [];
    let dropped = 0;
    const log = new ImpressionLog(
      {
        recordImpressions: async (batch) => {
          if (down) throw new Error('store down');
          written.push(...batch.map((i) => i.recommendationId));
        },
      },
      logger,
      { flushMs: 60_000, maxPending: 3, onDropped: (n) => (dropped += n) },
    );
    [1, 2].forEach((n) => log.record(impression(n)));
    await log.flush();
    [3, 4, 5].forEach((n) => log.record(impression(n)));
    expect(dropped).toBe(2);
    down = false;
    await log.close();
    expect(written).toEqual(['r1', 'r2', 'r3']);
  });

  it('flushes on its timer', async () => {
    const written: string[] = [];
    const log = new ImpressionLog({ recordImpressions: async (batch) => void written.push(...batch.map((i) => i.recommendationId)) }, logger, {
      flushMs: 10,
      maxPending: 10,
      onDropped: () => {},
    });
    log.record(impression(1));
    await expect.poll(() => written, { timeout: 2000 }).toEqual(['r1']);
    await log.close();
  });
});
