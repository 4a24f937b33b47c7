import type { InteractionType, ItemRecord, UserRef } from '../graph/index.js';
import type { NeighbourSlots, UserScores } from '../inference/index.js';
import { alsoChoseSentence, becauseSentence, contentSentence, fallbackSentence, ruleSentence, type AppliedRule, type FallbackReason } from './sentences.js';

export type ExplanationKind = 'ATTENTION' | 'CONTENT' | 'POPULARITY_FALLBACK' | 'RULE' | 'SIMILAR_ITEMS';

export interface ContributionModel {
  readonly hop: 1 | 2;
  /** The attention layer the weight comes from: 2 (user ← items) at hop 1, 1 (item ← users) at hop 2. */
  readonly layer: 1 | 2;
  readonly item: ItemRecord;
  /** At hop 1, the strongest type of the user's interactions with `item`; null at hop 2. */
  readonly interactionType: InteractionType | null;
  readonly user: UserRef | null;
  readonly weight: number;
  readonly headWeights: readonly number[];
  readonly share: number;
  /** Second-hop contributions within this one, largest share first; empty at hop 2. */
  evidence(first: number): readonly ContributionModel[];
}

export interface ExplanationModel {
  readonly kind: ExplanationKind;
  readonly summary: string;
  readonly modelVersion: string | null;
  /** The business rules that moved the item, in the order applied; empty when none did. */
  readonly rules: readonly AppliedRule[];
  /** The largest contributions first; computed when asked for, from the model's outputs. */
  contributions(first: number): readonly ContributionModel[];
}

const NO_CONTRIBUTIONS = () => [];
const byShareDescending = (a: ContributionModel, b: ContributionModel) => b.share - a.share;

/**
 * Explains the `k`-th recommendation of one user from the model's own outputs: the layer-2
 * attention over the user's items, the layer-1 attention over co-users, and the exact additive
 * shares of each neighbour in the score. `byContent`: the item is known to the model by its text
 * alone, so the sentence says so (the shares are exact all the same).
 */
export function attentionExplanation(
  scores: UserScores,
  k: number,
  slots: NeighbourSlots,
  modelVersion: string,
  byContent = false,
): ExplanationModel {
  const heads = Array.from({ length: scores.heads }, (_, h) => h);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  const secondHop = (f: number): ContributionModel[] =>
    slots.coUsers[f]!.map((co, g) => {
      const headWeights = heads.map((h) => scores.hop1Attention(h, f) * scores.hop2Attention(h, f, g));
      return {
        hop: 2,
        layer: 1,
        item: slots.items[f]!.item,
        interactionType: null,
        user: { id: co.userId },
        weight: mean(headWeights),
        headWeights,
        share: scores.hop2Contribution(k, f, g),
        evidence: NO_CONTRIBUTIONS,
      };
    });

  const firstHop: ContributionModel[] = slots.items.map((neighbour, f) => {
    const headWeights = heads.map((h) => scores.hop1Attention(h, f));
    return {
      hop: 1,
      layer: 2,
      item: neighbour.item,
      interactionType: neighbour.type,
      user: null,
      weight: mean(headWeights),
      headWeights,
      share: scores.hop1Contribution(k, f),
      evidence: (first) => secondHop(f).sort(byShareDescending).slice(0, first),
    };
  });
  firstHop.sort(byShareDescending);

  const reasons = firstHop.filter((c) => c.share > 0).slice(0, 2).map((c) => ({ item: c.item, type: c.interactionType! }));
  return {
    kind: byContent ? 'CONTENT' : 'ATTENTION',
    summary: byContent ? contentSentence(reasons) : becauseSentence(reasons),
    modelVersion,
    rules: [],
    contributions: (first) => firstHop.slice(0, first),
  };
}

export function popularityExplanation(reason: FallbackReason): ExplanationModel {
  return { kind: 'POPULARITY_FALLBACK', summary: fallbackSentence(reason), modelVersion: null, rules: [], contributions: NO_CONTRIBUTIONS };
}

/** `explanation`, saying which rules moved the item as well; itself when none did. */
export function withRules(explanation: ExplanationModel, rules: readonly AppliedRule[]): ExplanationModel {
  if (rules.length === 0) return explanation;
  return { ...explanation, rules, summary: `${explanation.summary} ${ruleSentence(rules)}` };
}

/** An item a rule placed without the ranking having scored it that high: no model evidence to give. */
export function ruleExplanation(rules: readonly AppliedRule[], modelVersion: string | null): ExplanationModel {
  return { kind: 'RULE', summary: ruleSentence(rules), modelVersion, rules, contributions: NO_CONTRIBUTIONS };
}

/**
 * An item returned as similar to `source`: close in the model's item space, which the model learnt
 * from who interacted with what. It has no per-neighbour split; the evidence is the shared users'
 * count on the result (`SimilarItem.sharedUserCount`).
 */
export function similarItemsExplanation(source: ItemRecord, item: ItemRecord, modelVersion: string): ExplanationModel {
  return { kind: 'SIMILAR_ITEMS', summary: alsoChoseSentence(source, item), modelVersion, rules: [], contributions: NO_CONTRIBUTIONS };
}
