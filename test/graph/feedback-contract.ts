import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedbackQuery, GraphStore, Impression, InteractionType, NewInteraction } from '../../src/graph/index.js';

/**
 * The feedback part of the graph-store port (`recordImpressions`, `feedbackCounts`, the
 * interactions' `recommendationId`, erasure of impressions), beside `store-contract.ts`: every
 * adapter runs it.
 */
export function describeFeedbackContract(adapter: string, openStore: () => Promise<GraphStore>): void {
  describe(`GraphStore feedback contract: ${adapter}`, () => {
    let store: GraphStore;
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    const all: FeedbackQuery = { since: null, until: null, conversionTypes: ['PURCHASE'] };
    const impression = (recommendationId: string, userId: string | null, itemIds: readonly string[], overrides: Partial<Impression> = {}): Impression => ({
      recommendationId,
      userId,
      surface: 'RECOMMENDATIONS',
      experiment: 'exp',
      variant: 'A',
      modelVersion: 'm1',
      shownAt: at(1),
      items: itemIds.map((itemId, i) => ({ itemId, rank: i + 1 })),
      ...overrides,
    });
    const attributed = (userId: string, itemId: string, recommendationId: string | null, type: InteractionType = 'CLICK'): NewInteraction => ({
      userId,
      itemId,
      type,
      weight: 1,
      occurredAt: at(2),
      recommendationId,
    });

    beforeEach(async () => {
      store = await openStore();
      await store.upsertItems(['a', 'b', 'c', 'd'].map((id) => ({ id, title: id.toUpperCase(), category: 'Jazz' })));
    });
    afterEach(() => store.close());

    it('keeps an interaction’s recommendationId, and reads it back in every interaction read', async () => {
      const [recorded] = (await store.recordInteractions([attributed('u1', 'a', 'r1')])).interactions;
      expect(recorded!.recommendationId).toBe('r1');
      const [recent] = await store.recentInteractions(['u1'], 5);
      expect(recent!.map((i) => i.recommendationId)).toEqual(['r1']);
      await store.recordInteractions([attributed('u1', 'b', null)]);
      const page = await store.interactionsPage({ first: 10, after: null });
      expect(page.records.map((i) => [i.itemId, i.recommendationId])).toEqual([
        ['a', 'r1'],
        ['b', null],
      ]);
    });

    it('has no feedback before any impression', async () => {
      await store.recordInteractions([attributed('u1', 'a', 'r1')]);
      expect(await store.feedbackCounts(all)).toEqual([]);
    });

    it('counts answers, impressions, clicks and conversions per experiment, variant, model version and surface', async () => {
      await store.recordImpressions([
        impression('r1', 'u1', ['a', 'b', 'c']),
        impression('r2', 'u2', ['a', 'b']),
        impression('r3', 'u3', ['c', 'd'], { variant: 'B' }),
        impression('r4', 'u3', ['a'], { variant: 'B', modelVersion: 'm2', surface: 'SIMILAR_ITEMS' }),
        impression('r5', null, ['d'], { experiment: null, variant: null }),
      ]);
      await store.recordInteractions([
        attributed('u1', 'a', 'r1'),
        attributed('u1', 'a', 'r1', 'PURCHASE'), // the same impression: one click, one conversion
        attributed('u1', 'c', 'r1', 'VIEW'),
        attributed('u2', 'c', 'r2'), // c was not in r2: no click
        attributed('u9', 'a', 'r2'), // another user than r2's: no click
        attributed('u3', 'd', 'r3', 'PURCHASE'),
        attributed('u7', 'd', 'r5'), // r5 was served to nobody: anyone's interaction counts
        attributed('u1', 'b', null),
      ]);
      const counts = await store.feedbackCounts(all);
      const key = (c: (typeof counts)[number]) => [c.experiment, c.variant, c.modelVersion, c.surface].join('/');
      expect(Object.fromEntries(counts.map((c) => [key(c), [c.answers, c.impressions, c.clicks, c.conversions]]))).toEqual({
        'exp/A/m1/RECOMMENDATIONS': [2, 5, 2, 1],
        'exp/B/m1/RECOMMENDATIONS': [1, 2, 1, 1],
        'exp/B/m2/SIMILAR_ITEMS': [1, 1, 0, 0],
        '//m1/RECOMMENDATIONS': [1, 1, 1, 0],
      });
    });

    it('counts only impressions shown within the asked window, and conversions of the asked types', async () => {
      await store.recordImpressions([impression('early', 'u1', ['a'], { shownAt: at(1) }), impression('late', 'u1', ['b'], { shownAt: at(10) })]);
      await store.recordInteractions([attributed('u1', 'a', 'early', 'ADD_TO_CART'), attributed('u1', 'b', 'late', 'ADD_TO_CART')]);
      const window = await store.feedbackCounts({ since: at(5), until: at(11), conversionTypes: ['ADD_TO_CART'] });
      expect(window.map((c) => [c.answers, c.impressions, c.clicks, c.conversions])).toEqual([[1, 1, 1, 1]]);
      const before = await store.feedbackCounts({ since: null, until: at(10), conversionTypes: ['PURCHASE'] });
      expect(before.map((c) => [c.impressions, c.clicks, c.conversions])).toEqual([[1, 1, 0]]);
    });

    it('counts a kept list’s pages as one answer, and a retried batch once', async () => {
      const first = impression('list', 'u1', ['a', 'b']);
      const second: Impression = { ...first, items: [{ itemId: 'c', rank: 3 }] };
      await store.recordImpressions([first]);
      await store.recordImpressions([first, second]);
      const [counts] = await store.feedbackCounts(all);
      expect([counts!.answers, counts!.impressions]).toEqual([1, 3]);
    });

    it('erases the impressions served to a user with the user, and keeps the others', async () => {
      await store.recordImpressions([impression('r1', 'u1', ['a', 'b']), impression('r2', 'u2', ['a'])]);
      await store.recordInteractions([attributed('u1', 'a', 'r1'), attributed('u2', 'a', 'r2')]);
      await store.deleteUser('u1');
      const counts = await store.feedbackCounts(all);
      expect(counts.map((c) => [c.answers, c.impressions, c.clicks])).toEqual([[1, 1, 1]]);
    });

    it('erases the impressions served to an id no user holds (a fallback answer), reporting no user deleted', async () => {
      await store.recordImpressions([impression('r1', 'never-stored', ['a']), impression('r2', 'u2', ['b'])]);
      expect(await store.deleteUser('never-stored')).toEqual({ deleted: false, interactionCount: 0 });
      const counts = await store.feedbackCounts(all);
      expect(counts.map((c) => c.answers)).toEqual([1]);
    });
  });
}
