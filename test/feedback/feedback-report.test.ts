import { describe, expect, it } from 'vitest';
import { differenceInterval, feedbackReport, wilsonInterval } from '../../src/feedback/index.js';
import type { FeedbackCounts } from '../../src/graph/index.js';

describe('confidence intervals', () => {
  it('gives the Wilson score interval of a proportion', () => {
    // Newcombe (1998), Table I: 81 of 263 → 0.2553 to 0.3662; 0 of 10 → 0 to 0.2775.
    const a = wilsonInterval(81, 263);
    expect(a.estimate).toBeCloseTo(81 / 263, 10);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    const b = wilsonInterval(0, 10);
    expect([b.estimate, b.low]).toEqual([0, 0]);
    expect(b.high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toEqual({ estimate: 0, low: 0, high: 1 });
  });

  it('gives Newcombe’s hybrid score interval of a difference of proportions', () => {
    // Newcombe (1998), Table II, example (a), method 10: 56/70 − 48/80 = 0.2, 0.0524 to 0.3339.
    const d = differenceInterval({ successes: 56, trials: 70 }, { successes: 48, trials: 80 });
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });
});

describe('feedbackReport', () => {
  const row = (variant: string | null, modelVersion: string, impressions: number, clicks: number, overrides: Partial<FeedbackCounts> = {}): FeedbackCounts => ({
    experiment: variant === null ? null : 'exp',
    variant,
    modelVersion,
    surface: 'RECOMMENDATIONS',
    answers: impressions / 10,
    impressions,
    clicks,
    conversions: Math.floor(clicks / 2),
    ...overrides,
  });
  const experiment = {
    name: 'exp',
    variants: [
      { name: 'A', share: 0.5, modelVersion: 'm1', hasRankingPolicy: false },
      { name: 'B', share: 0.5, modelVersion: 'm2', hasRankingPolicy: true },
    ],
  };
  const window = { since: null, until: null };

  it('sums model versions per variant and surface, in the configured order, the control first', () => {
    const report = feedbackReport(
      [row(null, 'm0', 100, 5), row('B', 'm2', 1000, 100), row('A', 'm1', 600, 30), row('A', 'm0', 400, 20), row('A', 'm1', 50, 1, { surface: 'SIMILAR_ITEMS' })],
      window,
      experiment,
    );
    expect(report.variants.map((v) => [v.variant, v.surface, v.impressions, v.clicks])).toEqual([
      ['A', 'RECOMMENDATIONS', 1000, 50],
      ['A', 'SIMILAR_ITEMS', 50, 1],
      ['B', 'RECOMMENDATIONS', 1000, 100],
      [null, 'RECOMMENDATIONS', 100, 5],
    ]);
    expect(report.variants[0]!.byModelVersion.map((m) => [m.modelVersion, m.impressions])).toEqual([
      ['m1', 600],
      ['m0', 400],
    ]);
    expect(report.variants[0]!.clickThroughRate).toEqual(wilsonInterval(50, 1000));
    expect(report.experiment).toBe(experiment);
  });

  it('compares each variant with the control on the same surface only', () => {
    const report = feedbackReport([row('A', 'm1', 1000, 50), row('B', 'm2', 1000, 100), row('B', 'm2', 10, 1, { surface: 'SIMILAR_ITEMS' })], window, experiment);
    const [control, better, similar] = report.variants;
    expect(control!.versusControl).toBeNull();
    expect(better!.versusControl!.control).toBe('A');
    expect(better!.versusControl!.clickThroughDifference).toEqual(differenceInterval({ successes: 100, trials: 1000 }, { successes: 50, trials: 1000 }));
    expect(better!.versusControl!.clickThroughDifference.low).toBeGreaterThan(0);
    expect(similar!.surface).toBe('SIMILAR_ITEMS');
    expect(similar!.versusControl).toBeNull();
  });

  it('compares nothing for experiments no longer configured', () => {
    const report = feedbackReport([row('A', 'm1', 100, 5), row('B', 'm1', 100, 9)], window, null);
    expect(report.variants.map((v) => v.versusControl)).toEqual([null, null]);
  });
});
