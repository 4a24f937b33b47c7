export { CONVERSION_TYPES, Feedback } from './feedback.js';
export {
  differenceInterval,
  feedbackReport,
  wilsonInterval,
  type ControlComparison,
  type Estimate,
  type ExperimentSummary,
  type FeedbackReport,
  type ModelVersionFeedback,
  type VariantFeedback,
} from './feedback-report.js';
export { ImpressionLog, type ImpressionLogOptions } from './impression-log.js';
export { newRecommendationId, recommendationLabels, type AnswerLabels } from './recommendation-id.js';
export { servedRecommendation, servedSimilarItem, type AnswerRef, type ServedRecommendation, type ServedSimilarItem } from './served.js';
