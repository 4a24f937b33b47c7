import type { GraphStore, InteractionType, NewInteraction } from '../graph/index.js';
import type { Metrics } from '../observability/index.js';
import { feedbackReport, type ExperimentSummary, type FeedbackReport } from './feedback-report.js';
import type { ImpressionLog } from './impression-log.js';
import { newRecommendationId, recommendationLabels, type AnswerLabels } from './recommendation-id.js';

/** Interaction types that complete what a recommendation is for: buying the item, visiting the place. */
export const CONVERSION_TYPES: readonly InteractionType[] = ['PURCHASE', 'CHECK_IN'];

/** A label value for what this process cannot vouch for (a forged or foreign id): label sets stay bounded. */
const OTHER = 'other';

/**
 * Feedback on served recommendations: names each answer, keeps its impressions (batched, off the
 * request path), counts attributed interactions in `/metrics`, and reports what came of it all
 * from the store's durable counts (docs/feedback.md).
 */
export class Feedback {
  /** Model versions this process served: the only ones its counters label. */
  private readonly servedVersions = new Set<string>();

  constructor(
    private readonly log: ImpressionLog,
    private readonly store: Pick<GraphStore, 'feedbackCounts'>,
    private readonly metrics: Metrics,
    private readonly experiment: { readonly name: string | null; readonly variants: readonly string[] },
  ) {}

  /** A new answer's id, carrying its labels. */
  newAnswer(labels: AnswerLabels): string {
    return newRecommendationId(labels);
  }

  /** Keeps the impressions of an answer (or a page of it) served to `userId` (null: to nobody). */
  served(recommendationId: string, labels: AnswerLabels, userId: string | null, items: readonly { readonly itemId: string; readonly rank: number }[]): void {
    if (items.length === 0) return;
    this.servedVersions.add(labels.modelVersion);
    this.log.record({ recommendationId, userId, ...labels, shownAt: new Date(), items });
    this.metrics.impressions.inc(this.metricLabels(labels), items.length);
  }

  /** Counts recorded interactions that name an answer, per the labels their `recommendationId` carries. */
  attributed(interactions: readonly NewInteraction[]): void {
    for (const { recommendationId, type } of interactions) {
      if (!recommendationId) continue;
      const labels = recommendationLabels(recommendationId);
      const metric = labels ? this.metricLabels(labels) : { surface: OTHER, experiment: OTHER, variant: OTHER, model_version: OTHER };
      this.metrics.feedback.inc({ kind: 'click', ...metric });
      if (CONVERSION_TYPES.includes(type)) this.metrics.feedback.inc({ kind: 'conversion', ...metric });
    }
  }

  /** What came of the answers served in the window, this process's pending impressions included. */
  async report(window: { readonly since: Date | null; readonly until: Date | null }, experiment: ExperimentSummary | null): Promise<FeedbackReport> {
    await this.log.flush();
    const counts = await this.store.feedbackCounts({ ...window, conversionTypes: CONVERSION_TYPES });
    return feedbackReport(counts, window, experiment);
  }

  /** Writes what is pending (tests; the log does it every `IMPRESSIONS_FLUSH_MS`). */
  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private metricLabels({ surface, experiment, variant, modelVersion }: AnswerLabels) {
    const known = experiment !== null && experiment === this.experiment.name;
    return {
      surface,
      experiment: experiment === null ? 'none' : known ? experiment : OTHER,
      variant: variant === null ? 'none' : known && this.experiment.variants.includes(variant) ? variant : OTHER,
      model_version: this.servedVersions.has(modelVersion) ? modelVersion : OTHER,
    };
  }
}
