import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore, NewInteraction } from '../../src/graph/index.js';

/**
 * `GraphStore.writeRevision`, seen from two connections to the same data (two API processes):
 * every write that changes what a read returns moves it for both, on the next read; a write that
 * changes nothing and impressions leave it alone. `openPair` opens two stores over one fresh, empty
 * store.
 */
export function describeWriteRevisionContract(adapter: string, openPair: () => Promise<readonly [GraphStore, GraphStore]>): void {
  describe(`GraphStore write revision: ${adapter}`, () => {
    let reader: GraphStore;
    let writer: GraphStore;
    const view = (userId: string, itemId: string, id: string | null = null): NewInteraction => ({
      id,
      userId,
      itemId,
      type: 'VIEW',
      weight: 1,
      occurredAt: new Date(Date.UTC(2026, 0, 1)),
    });

    beforeEach(async () => {
      [reader, writer] = await openPair();
      await writer.upsertItems([
        { id: 'a', title: 'Alpha' },
        { id: 'b', title: 'Bravo' },
      ]);
    });
    afterEach(async () => {
      await reader.close();
      await writer.close();
    });

    /** Runs `write` through the second store; resolves with whether the first store's revision moved. */
    const moves = async (write: () => Promise<unknown>): Promise<boolean> => {
      const before = await reader.writeRevision();
      await write();
      const after = await reader.writeRevision();
      expect(after).toBeGreaterThanOrEqual(before);
      return after !== before;
    };

    it('moves, as the other connection sees at its next read, with each interaction recorded, item changed and user erased', async () => {
      expect(await moves(() => writer.recordInteractions([view('u1', 'a', 'evt-1')]))).toBe(true);
      expect(await moves(() => writer.upsertItems([{ id: 'b', title: 'Bravo', available: false }]))).toBe(true);
      expect(await moves(() => writer.upsertItems([{ id: 'c', title: 'Charlie' }]))).toBe(true);
      expect(await moves(() => writer.deleteUser('u1'))).toBe(true);
    });

    it('stays put for a write that changes nothing, and for impressions', async () => {
      await writer.recordInteractions([view('u1', 'a', 'evt-1')]);
      expect(await moves(() => writer.recordInteractions([view('u1', 'a', 'evt-1')]))).toBe(false);
      expect(await moves(() => writer.upsertItems([{ id: 'a', title: 'Alpha' }]))).toBe(false);
      expect(await moves(() => writer.deleteUser('nobody'))).toBe(false);
      const shown = { recommendationId: 'r1', userId: 'u1', surface: 'RECOMMENDATIONS', experiment: null, variant: null, modelVersion: 'm' } as const;
      expect(await moves(() => writer.recordImpressions([{ ...shown, shownAt: new Date(), items: [{ itemId: 'a', rank: 1 }] }]))).toBe(false);
    });

    it('never moves back: an erasure after new interactions still moves it forward', async () => {
      await writer.recordInteractions([view('u1', 'a'), view('u2', 'b')]);
      const seen = [await reader.writeRevision()];
      await writer.recordInteractions([view('u3', 'a')]);
      seen.push(await reader.writeRevision());
      // Erasing the user of the latest interaction must not bring back an earlier revision.
      await writer.deleteUser('u3');
      seen.push(await reader.writeRevision());
      await writer.deleteUser('u2');
      seen.push(await reader.writeRevision());
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    });
  });
}
