export {
  attentionExplanation,
  popularityExplanation,
  ruleExplanation,
  withRules,
  type ContributionModel,
  type ExplanationKind,
  type ExplanationModel,
} from './explanation.js';
export { becauseSentence, contentSentence, fallbackSentence, ruleSentence, type AppliedRule, type FallbackReason, type Reason } from './sentences.js';
