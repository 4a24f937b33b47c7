export {
  attentionExplanation,
  popularityExplanation,
  type ContributionModel,
  type ExplanationKind,
  type ExplanationModel,
} from './explanation.js';
export { becauseSentence, contentSentence, fallbackSentence, type FallbackReason, type Reason } from './sentences.js';
