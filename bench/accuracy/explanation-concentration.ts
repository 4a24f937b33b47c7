import { SeededRandom } from '../../src/graph/demo/random.js';
import { assembleBatch, readUserScores } from '../../src/inference/index.js';
import { ablatedScores, meanAttention, withoutItems, type Ablation } from './explanation-fidelity.js';
import { sampleNeighbourhoods, type ServedPath } from './served-evaluation.js';

/**
 * The share of the `top` largest contributions (by absolute value) in the sum of the absolute
 * contributions: 1 when one neighbour carries the whole score, `top / n` when all carry the same.
 * Absolute values, since a contribution can be negative (a neighbour that argues against the item).
 * 0 when every contribution is 0.
 */
export function absoluteShare(contributions: readonly number[], top: number): number {
  const magnitudes = contributions.map(Math.abs).sort((a, b) => b - a);
  const total = magnitudes.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return magnitudes.slice(0, top).reduce((a, b) => a + b, 0) / total;
}

/**
 * Entropy of an attention distribution divided by log(number of slots): 1 when uniform, 0 when all
 * weight is on one slot. The weights are renormalised to sum to 1 first; `null` below two slots,
 * where the ratio is undefined.
 */
export function normalisedEntropy(weights: readonly number[]): number | null {
  if (weights.length < 2) return null;
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  let entropy = 0;
  for (const w of weights) {
    const p = w / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return entropy / Math.log(weights.length);
}

/**
 * Area between two deletion curves sampled at k = 1..K (index k-1), with unit steps and both
 * curves 0 at k = 0: Σ_k (attended[k] − random[k]), the rectangle rule (K × the mean gap).
 * Positive when removing the most attended neighbours hurts more than removing random ones.
 */
export function deletionArea(attended: readonly number[], random: readonly number[]): number {
  if (attended.length !== random.length) throw new RangeError(`curves differ in length: ${attended.length} vs ${random.length}`);
  return attended.reduce((sum, a, k) => sum + a - random[k]!, 0);
}

/** Slot indices by mean attention over heads, highest first (ties by slot order). */
export function byAttentionDescending(attention: readonly number[]): number[] {
  return attention.map((a, f) => [a, f] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]).map(([, f]) => f);
}

export interface ConcentrationOptions {
  /** Ranks of each user's list whose contributions are measured (default 20). */
  readonly explainedRanks?: number;
  /** The deletion curve's largest k (default 5); users need at least this + 1 hop-1 neighbours. */
  readonly maxDeletions?: number;
  /** Users per model run (default 25; each brings 2 × maxDeletions ablated rows). */
  readonly batchSize?: number;
}

export interface DeletionCurve {
  /** Users whose top item was ablated (at least maxDeletions + 1 neighbours, positive base score). */
  readonly users: number;
  readonly k: readonly number[];
  /** Mean relative drop (s − s_k) / s of the top item's score after removing the k most attended. */
  readonly topAttended: readonly number[];
  /** The same after removing k neighbours drawn uniformly (one seeded permutation per user, its first k). */
  readonly random: readonly number[];
  /** deletionArea of the two mean curves. */
  readonly area: number;
  /** The same curves as absolute score drops s − s_k. */
  readonly absoluteTopAttended: readonly number[];
  readonly absoluteRandom: readonly number[];
}

export interface ConcentrationResult {
  /** (user, recommended item) pairs whose contributions were measured. */
  readonly explainedItems: number;
  readonly explainedRanks: number;
  /** Means over those pairs of absoluteShare(hop-1 contributions, 1) and (…, 3). */
  readonly top1Share: number;
  readonly top3Share: number;
  /** Median of the top-3 share over the pairs. */
  readonly medianTop3Share: number;
  /** Fraction of hop-1 contributions that are negative. */
  readonly negativeContributions: number;
  /** Mean hop-1 neighbours per measured user. */
  readonly meanNeighbours: number;
  /** Users with two or more neighbours, and the mean of normalisedEntropy over them. */
  readonly entropyUsers: number;
  readonly attentionEntropy: number;
  readonly deletion: DeletionCurve;
}

const median = (sorted: readonly number[]): number => {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * How concentrated the served explanations are, through the served model (store sampling, tensor
 * assembly, onnxruntime): for each user, the hop-1 contributions of each of the first
 * `explainedRanks` recommended items (their top-1 and top-3 share of the absolute sum), the
 * normalised entropy of the layer-2 attention (mean over heads) over the user's neighbours, and
 * the deletion curve of the top item: its score re-read after removing the k most attended
 * neighbours and after removing k random ones, k = 1..maxDeletions.
 */
export async function explanationConcentration(
  path: ServedPath,
  userIds: readonly string[],
  seed: number,
  options: ConcentrationOptions = {},
): Promise<ConcentrationResult> {
  const { explainedRanks = 20, maxDeletions = 5, batchSize = 25 } = options;
  const random = new SeededRandom(seed);
  const { vocabulary } = path.model;
  const top1: number[] = [];
  const top3: number[] = [];
  let contributions = 0;
  let negative = 0;
  let neighbours = 0;
  let measuredUsers = 0;
  const entropies: number[] = [];
  const drops = { top: new Array<number>(maxDeletions).fill(0), random: new Array<number>(maxDeletions).fill(0) };
  const absolute = { top: new Array<number>(maxDeletions).fill(0), random: new Array<number>(maxDeletions).fill(0) };
  let deletionUsers = 0;

  for (let lo = 0; lo < userIds.length; lo += batchSize) {
    const neighbourhoods = await sampleNeighbourhoods(path, userIds.slice(lo, lo + batchSize));
    const base = assembleBatch(
      neighbourhoods,
      neighbourhoods.map((n) => path.candidates.bias(null, n.interactedItemIds)),
      vocabulary,
      explainedRanks,
      explainedRanks,
    );
    const outputs = await path.model.run(base.inputs);
    const ablations: Ablation[] = [];
    const baseScores: number[] = [];
    neighbourhoods.forEach((n, row) => {
      const slots = base.slots[row]!.items;
      const scores = readUserScores(outputs, row);
      if (slots.length === 0 || scores.ranked.length === 0) return;
      measuredUsers += 1;
      neighbours += slots.length;
      for (let k = 0; k < Math.min(explainedRanks, scores.ranked.length); k++) {
        const c = slots.map((_, f) => scores.hop1Contribution(k, f));
        top1.push(absoluteShare(c, 1));
        top3.push(absoluteShare(c, 3));
        contributions += c.length;
        negative += c.filter((v) => v < 0).length;
      }
      const attention = meanAttention(scores, slots.length);
      const entropy = normalisedEntropy(attention);
      if (entropy !== null) entropies.push(entropy);

      const score = scores.ranked[0]!.score;
      if (slots.length < maxDeletions + 1 || !(score > 0)) return;
      const attended = byAttentionDescending(attention);
      const permutation = slots.map((_, f) => f);
      for (let i = permutation.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
      }
      baseScores.push(score);
      for (let k = 1; k <= maxDeletions; k++) {
        for (const order of [attended, permutation]) {
          const removed = new Set(order.slice(0, k).map((f) => slots[f]!.item.id));
          ablations.push({ neighbourhood: withoutItems(n, removed), item: scores.ranked[0]!.itemIndex });
        }
      }
    });
    if (ablations.length === 0) continue;
    const rescored = await ablatedScores(path, ablations);
    baseScores.forEach((score, u) => {
      deletionUsers += 1;
      for (let k = 0; k < maxDeletions; k++) {
        const rowTop = (u * maxDeletions + k) * 2;
        const dropTop = score - rescored[rowTop]!;
        const dropRandom = score - rescored[rowTop + 1]!;
        drops.top[k]! += dropTop / score;
        drops.random[k]! += dropRandom / score;
        absolute.top[k]! += dropTop;
        absolute.random[k]! += dropRandom;
      }
    });
  }

  const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  const perUser = (values: readonly number[]) => values.map((v) => v / Math.max(deletionUsers, 1));
  const sortedTop3 = [...top3].sort((a, b) => a - b);
  const topAttended = perUser(drops.top);
  const randomCurve = perUser(drops.random);
  return {
    explainedItems: top1.length,
    explainedRanks,
    top1Share: mean(top1),
    top3Share: mean(top3),
    medianTop3Share: median(sortedTop3),
    negativeContributions: negative / Math.max(contributions, 1),
    meanNeighbours: neighbours / Math.max(measuredUsers, 1),
    entropyUsers: entropies.length,
    attentionEntropy: mean(entropies),
    deletion: {
      users: deletionUsers,
      k: Array.from({ length: maxDeletions }, (_, k) => k + 1),
      topAttended,
      random: randomCurve,
      area: deletionArea(topAttended, randomCurve),
      absoluteTopAttended: perUser(absolute.top),
      absoluteRandom: perUser(absolute.random),
    },
  };
}
