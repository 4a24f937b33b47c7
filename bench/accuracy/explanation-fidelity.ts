import { SeededRandom } from '../../src/graph/demo/random.js';
import type { Neighbourhood } from '../../src/graph/index.js';
import { assembleBatch, EXCLUDED_SCORE_BIAS, readUserScores, type UserScores } from '../../src/inference/index.js';
import { sampleNeighbourhoods, type ServedPath } from './served-evaluation.js';

export interface FidelityResult {
  /** Users whose top recommendation was tested (they have at least two hop-1 neighbours). */
  readonly cases: number;
  /** Cases where removing the top-attended neighbour lowered the score more than a random one. */
  readonly faithful: number;
  readonly rate: number;
  /** Mean score drop when removing the top-attended neighbour, and a random other one. */
  readonly meanDropTopAttended: number;
  readonly meanDropRandom: number;
}

/** A neighbourhood re-scored for one item: the user's neighbourhood with some neighbours removed. */
export interface Ablation {
  readonly neighbourhood: Neighbourhood;
  /** The item's index in the model's vocabulary. */
  readonly item: number;
}

/** `n` without the hop-1 neighbours whose items are in `removed`. */
export const withoutItems = (n: Neighbourhood, removed: ReadonlySet<string>): Neighbourhood => ({
  ...n,
  items: n.items.filter((i) => !removed.has(i.item.id)),
});

/** Hop-1 attention per neighbour slot, the mean over heads. */
export const meanAttention = (scores: UserScores, width: number): number[] =>
  Array.from({ length: width }, (_, f) => {
    let sum = 0;
    for (let h = 0; h < scores.heads; h++) sum += scores.hop1Attention(h, f);
    return sum / scores.heads;
  });

/**
 * Each ablation's score of its item, in one model run: the item is the only candidate, so its
 * score is read back whatever its new rank would be.
 */
export async function ablatedScores(path: ServedPath, ablations: readonly Ablation[]): Promise<number[]> {
  const { vocabulary } = path.model;
  const batch = assembleBatch(
    ablations.map((a) => a.neighbourhood),
    ablations.map((a) => {
      const bias = new Float32Array(vocabulary.itemCount).fill(EXCLUDED_SCORE_BIAS);
      bias[a.item] = 0;
      return bias;
    }),
    vocabulary,
    1,
    0,
  );
  const outputs = await path.model.run(batch.inputs);
  return ablations.map((_, row) => readUserScores(outputs, row).ranked[0]!.score);
}

/**
 * Explanation fidelity, through the served model: for each user, take the top recommendation and
 * re-score it (i) without the hop-1 neighbour with the highest attention (mean over heads) and
 * (ii) without one other hop-1 neighbour drawn uniformly. The explanation is faithful for that user
 * when (i) lowers the score more than (ii).
 */
export async function explanationFidelity(path: ServedPath, userIds: readonly string[], seed: number, batchSize = 128): Promise<FidelityResult> {
  const random = new SeededRandom(seed);
  const { vocabulary } = path.model;
  let cases = 0;
  let faithful = 0;
  let dropTop = 0;
  let dropRandom = 0;
  for (let lo = 0; lo < userIds.length; lo += batchSize) {
    const neighbourhoods = await sampleNeighbourhoods(path, userIds.slice(lo, lo + batchSize));
    const base = assembleBatch(
      neighbourhoods,
      neighbourhoods.map((n) => path.candidates.bias(null, n.interactedItemIds)),
      vocabulary,
      1,
      0,
    );
    const outputs = await path.model.run(base.inputs);
    const ablations: Ablation[] = [];
    const baseScores: number[] = [];
    neighbourhoods.forEach((n, row) => {
      const slots = base.slots[row]!.items;
      const scores = readUserScores(outputs, row);
      const top = scores.ranked[0];
      if (slots.length < 2 || top === undefined) return;
      const attention = meanAttention(scores, slots.length);
      const attended = attention.indexOf(Math.max(...attention));
      const other = (attended + 1 + random.int(slots.length - 1)) % slots.length;
      baseScores.push(top.score);
      ablations.push({ neighbourhood: withoutItems(n, new Set([slots[attended]!.item.id])), item: top.itemIndex });
      ablations.push({ neighbourhood: withoutItems(n, new Set([slots[other]!.item.id])), item: top.itemIndex });
    });
    if (ablations.length === 0) continue;
    const rescored = await ablatedScores(path, ablations);
    baseScores.forEach((score, c) => {
      const top = score - rescored[2 * c]!;
      const other = score - rescored[2 * c + 1]!;
      cases += 1;
      if (top > other) faithful += 1;
      dropTop += top;
      dropRandom += other;
    });
  }
  const n = Math.max(cases, 1);
  return { cases, faithful, rate: faithful / n, meanDropTopAttended: dropTop / n, meanDropRandom: dropRandom / n };
}
