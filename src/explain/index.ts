export {
  attentionExplanation,
  popularityExplanation,
  type ContributionModel,
  type ExplanationKind,
  type ExplanationModel,
  type FallbackReason,
} from './explanation.js';
