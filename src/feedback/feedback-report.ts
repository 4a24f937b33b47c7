import type { FeedbackCounts, RecommendationSurface } from '../graph/index.js';

/** An estimate with its 95 % confidence interval. */
export interface Estimate {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/** The normal quantile of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a proportion: unlike the normal approximation it stays inside
 * [0, 1] and keeps its coverage for the small rates click-through rates are.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Estimate {
  if (trials === 0) return { estimate: 0, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The difference of two independent proportions, a − b, with Newcombe's hybrid score interval
 * (method 10 of Newcombe 1998, "Interval estimation for the difference between independent
 * proportions"), built from each proportion's Wilson interval.
 */
export function differenceInterval(a: { successes: number; trials: number }, b: { successes: number; trials: number }): Estimate {
  const x = wilsonInterval(a.successes, a.trials);
  const y = wilsonInterval(b.successes, b.trials);
  const d = x.estimate - y.estimate;
  return {
    estimate: d,
    low: d - Math.hypot(x.estimate - x.low, y.high - y.estimate),
    high: d + Math.hypot(x.high - x.estimate, y.estimate - y.low),
  };
}

export interface Tally {
  readonly answers: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
}

export interface ModelVersionFeedback extends Tally {
  readonly modelVersion: string;
}

export interface ControlComparison {
  readonly control: string;
  readonly clickThroughDifference: Estimate;
  readonly conversionDifference: Estimate;
}

export interface VariantFeedback extends Tally {
  readonly experiment: string | null;
  readonly variant: string | null;
  readonly surface: RecommendationSurface;
  readonly clickThroughRate: Estimate;
  readonly conversionRate: Estimate;
  readonly versusControl: ControlComparison | null;
  readonly byModelVersion: readonly ModelVersionFeedback[];
}

/** The configured experiment, as the report describes it. */
export interface ExperimentSummary {
  readonly name: string;
  /** The first is the control. */
  readonly variants: readonly { readonly name: string; readonly share: number; readonly modelVersion: string; readonly hasRankingPolicy: boolean }[];
}

export interface FeedbackReport {
  readonly since: Date | null;
  readonly until: Date | null;
  readonly experiment: ExperimentSummary | null;
  readonly variants: readonly VariantFeedback[];
}

const sum = (tallies: readonly Tally[]): Tally => ({
  answers: tallies.reduce((n, t) => n + t.answers, 0),
  impressions: tallies.reduce((n, t) => n + t.impressions, 0),
  clicks: tallies.reduce((n, t) => n + t.clicks, 0),
  conversions: tallies.reduce((n, t) => n + t.conversions, 0),
});

/**
 * The store's counts per experiment, variant, model version and surface, summed per experiment,
 * variant and surface, with rates, intervals and (for the configured experiment) each variant
 * against its control. The configured experiment comes first, its variants in configured order.
 */
export function feedbackReport(
  counts: readonly FeedbackCounts[],
  window: { readonly since: Date | null; readonly until: Date | null },
  experiment: ExperimentSummary | null,
): FeedbackReport {
  const groups = new Map<string, FeedbackCounts[]>();
  for (const row of counts) {
    const key = JSON.stringify([row.experiment, row.variant, row.surface]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const variants = [...groups.values()].map((rows): Omit<VariantFeedback, 'versusControl'> => {
    const { experiment: name, variant, surface } = rows[0]!;
    const tally = sum(rows);
    return {
      experiment: name,
      variant,
      surface,
      ...tally,
      clickThroughRate: wilsonInterval(tally.clicks, tally.impressions),
      conversionRate: wilsonInterval(tally.conversions, tally.impressions),
      byModelVersion: rows.map(({ modelVersion, answers, impressions, clicks, conversions }) => ({ modelVersion, answers, impressions, clicks, conversions })),
    };
  });
  const control = experiment?.variants[0]?.name;
  const order = (v: Omit<VariantFeedback, 'versusControl'>) => {
    if (experiment && v.experiment === experiment.name) {
      const index = experiment.variants.findIndex((configured) => configured.name === v.variant);
      return [0, index < 0 ? experiment.variants.length : index, v.variant ?? '', v.surface] as const;
    }
    return [1, 0, `${v.experiment ?? ''}\u0000${v.variant ?? ''}`, v.surface] as const;
  };
  const compare = (a: ReturnType<typeof order>, b: ReturnType<typeof order>) =>
    a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
  variants.sort((a, b) => compare(order(a), order(b)));
  return {
    ...window,
    experiment,
    variants: variants.map((v) => {
      const reference =
        experiment && control !== undefined && v.experiment === experiment.name && v.variant !== control
          ? variants.find((c) => c.experiment === experiment.name && c.variant === control && c.surface === v.surface)
          : undefined;
      const versusControl = reference
        ? {
            control: control!,
            clickThroughDifference: differenceInterval({ successes: v.clicks, trials: v.impressions }, { successes: reference.clicks, trials: reference.impressions }),
            conversionDifference: differenceInterval(
              { successes: v.conversions, trials: v.impressions },
              { successes: reference.conversions, trials: reference.impressions },
            ),
          }
        : null;
      return { ...v, versusControl };
    }),
  };
}
