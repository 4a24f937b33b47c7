export {
  attentionExplanation,
  popularityExplanation,
  ruleExplanation,
  withRules,
  similarItemsExplanation,
  type ContributionModel,
  type ExplanationKind,
  type ExplanationModel,
} from './explanation.js';
export { alsoChoseSentence, becauseSentence, contentSentence, fallbackSentence, ruleSentence, type AppliedRule, type FallbackReason, type Reason } from './sentences.js';
