import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Feedback, ImpressionLog, newRecommendationId } from '../../src/feedback/index.js';
import type { NewInteraction } from '../../src/graph/index.js';
import { Metrics } from '../../src/observability/index.js';

describe('Feedback counters in /metrics', () => {
  const interaction = (recommendationId: string, type: NewInteraction['type'] = 'CLICK'): NewInteraction => ({
    userId: 'u1',
    itemId: 'a',
    type,
    weight: 1,
    occurredAt: new Date(0),
    recommendationId,
  });

  it('labels what this process served, and everything else it cannot vouch for as other: label sets stay bounded', async () => {
    const metrics = new Metrics();
    const log = new ImpressionLog({ recordImpressions: async () => {} }, pino({ level: 'silent' }), { flushMs: 60_000, maxPending: 10, onDropped: () => {} });
    const feedback = new Feedback(log, { feedbackCounts: async () => [] }, metrics, { name: 'exp', variants: ['A', 'B'] });
    const served = { surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'B', modelVersion: 'm1' } as const;
    feedback.served(newRecommendationId(served), served, 'u1', [{ itemId: 'a', rank: 1 }, { itemId: 'b', rank: 2 }]);
    feedback.attributed([
      interaction(newRecommendationId(served), 'PURCHASE'),
      // Forged labels: an experiment, a variant and a model version nobody serves.
      interaction(newRecommendationId({ surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'Z'.repeat(40), modelVersion: 'forged' })),
      interaction(newRecommendationId({ surface: 'SIMILAR_ITEMS', experiment: 'forged', variant: 'A', modelVersion: 'm1' })),
      interaction('not-one-of-ours'),
    ]);
    const values = (await metrics.feedback.get()).values.map((v) => [v.labels, v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        [{ kind: 'click', surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'B', model_version: 'm1' }, 1],
        [{ kind: 'conversion', surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'B', model_version: 'm1' }, 1],
        [{ kind: 'click', surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'other', model_version: 'other' }, 1],
        [{ kind: 'click', surface: 'SIMILAR_ITEMS', experiment: 'other', variant: 'other', model_version: 'm1' }, 1],
        [{ kind: 'click', surface: 'other', experiment: 'other', variant: 'other', model_version: 'other' }, 1],
      ]),
    );
    expect(values).toHaveLength(5);
    const impressions = (await metrics.impressions.get()).values;
    expect(impressions.map((v) => [v.labels, v.value])).toEqual([[{ surface: 'RECOMMENDATIONS', experiment: 'exp', variant: 'B', model_version: 'm1' }, 2]]);
    await feedback.close();
  });
});
