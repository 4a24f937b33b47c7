import type { RecommendationResult, SimilarItemResult } from '../recommendations/index.js';

/** What every item of a served answer says about the answer. */
export interface AnswerRef {
  readonly recommendationId: string;
  /** The experiment variant that served it; null outside an experiment. */
  readonly variant: string | null;
}

export type ServedRecommendation = RecommendationResult & AnswerRef;
export type ServedSimilarItem = SimilarItemResult & AnswerRef;

// The explanation is read through, not copied: it is built on first read (recommendation-service.ts).
export const servedRecommendation = (r: RecommendationResult, answer: AnswerRef): ServedRecommendation => ({
  item: r.item,
  score: r.score,
  rank: r.rank,
  rules: r.rules,
  fallback: r.fallback,
  get explanation() {
    return r.explanation;
  },
  ...answer,
});

export const servedSimilarItem = (r: SimilarItemResult, answer: AnswerRef): ServedSimilarItem => ({
  source: r.source,
  item: r.item,
  score: r.score,
  rank: r.rank,
  get explanation() {
    return r.explanation;
  },
  ...answer,
});
