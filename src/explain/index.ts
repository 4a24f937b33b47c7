export {
  attentionExplanation,
  popularityExplanation,
  similarItemsExplanation,
  type ContributionModel,
  type ExplanationKind,
  type ExplanationModel,
} from './explanation.js';
export { alsoChoseSentence, becauseSentence, contentSentence, fallbackSentence, type FallbackReason, type Reason } from './sentences.js';
