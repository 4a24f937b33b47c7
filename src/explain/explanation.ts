import type { ItemRecord, UserRef } from '../graph/index.js';
import type { NeighbourSlots, UserScores } from '../inference/index.js';

export type ExplanationKind = 'ATTENTION' | 'POPULARITY_FALLBACK';

/** Why a popularity fallback was used instead of the model. */
export type FallbackReason = 'UNKNOWN_USER' | 'NO_INTERACTIONS' | 'NO_MODELLED_INTERACTIONS';

export interface ContributionModel {
  readonly hop: 1 | 2;
  /** The attention layer the weight comes from: 2 (user ← items) at hop 1, 1 (item ← users) at hop 2. */
  readonly layer: 1 | 2;
  readonly item: ItemRecord;
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
  /** The largest contributions first; computed when asked for, from the model's outputs. */
  contributions(first: number): readonly ContributionModel[];
}

const NO_CONTRIBUTIONS = () => [];
const byShareDescending = (a: ContributionModel, b: ContributionModel) => b.share - a.share;
const quote = (item: ItemRecord) => `“${item.title}”`;

/**
 * Explains the `k`-th recommendation of one user from the model's own outputs: the layer-2
 * attention over the user's items, the layer-1 attention over co-users, and the exact additive
 * shares of each neighbour in the score.
 */
export function attentionExplanation(
  scores: UserScores,
  k: number,
  slots: NeighbourSlots,
  modelVersion: string,
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
      user: null,
      weight: mean(headWeights),
      headWeights,
      share: scores.hop1Contribution(k, f),
      evidence: (first) => secondHop(f).sort(byShareDescending).slice(0, first),
    };
  });
  firstHop.sort(byShareDescending);

  return {
    kind: 'ATTENTION',
    summary: attentionSummary(firstHop),
    modelVersion,
    contributions: (first) => firstHop.slice(0, first),
  };
}

function attentionSummary(sortedFirstHop: readonly ContributionModel[]): string {
  const reasons = sortedFirstHop.filter((c) => c.share > 0).slice(0, 2).map((c) => quote(c.item));
  if (reasons.length === 0) return 'Ranked by the model from your recent activity.';
  return `Because you liked ${reasons.join(' and ')}.`;
}

const FALLBACK_SUMMARIES: Readonly<Record<FallbackReason, string>> = {
  UNKNOWN_USER: 'Popular with other users: we do not know you yet.',
  NO_INTERACTIONS: 'Popular with other users: you have no interactions yet.',
  NO_MODELLED_INTERACTIONS: 'Popular with other users: your interactions are all with items the model does not know yet.',
};

export function popularityExplanation(reason: FallbackReason): ExplanationModel {
  return { kind: 'POPULARITY_FALLBACK', summary: FALLBACK_SUMMARIES[reason], modelVersion: null, contributions: NO_CONTRIBUTIONS };
}
