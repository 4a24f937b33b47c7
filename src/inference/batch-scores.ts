import type { ModelOutputName } from './model-contract.js';
import { EXCLUDED_SCORE_THRESHOLD } from './model-contract.js';

export interface OutputTensor {
  readonly data: Float32Array | BigInt64Array;
  readonly dims: readonly number[];
}

export type ModelOutputs = Readonly<Record<ModelOutputName, OutputTensor>>;

export interface RankedItem {
  /** The item's row in the model's vocabulary. */
  readonly itemIndex: number;
  readonly score: number;
}

/**
 * One batch row of a model run, read in place from the output tensors (no copies): the ranked items
 * and the attention and contribution of every input slot.
 */
export interface UserScores {
  readonly heads: number;
  /** The user's representation `h_u` (a view into the run's output). */
  readonly userVector: Float32Array;
  /** Best first; items excluded by the candidate mask are already dropped. */
  readonly ranked: readonly RankedItem[];
  hop1Attention(head: number, slot: number): number;
  hop2Attention(head: number, slot: number, coSlot: number): number;
  /** How many of the first ranks carry contributions (the run's `explain_ranks` were 0..this-1). */
  readonly explainedRanks: number;
  /** Share of hop-1 slot `slot` in the score of `ranked[k]`, for `k < explainedRanks`. */
  hop1Contribution(k: number, slot: number): number;
  /** Share of co-user `coSlot` of hop-1 slot `slot` in the score of `ranked[k]`, for `k < explainedRanks`. */
  hop2Contribution(k: number, slot: number, coSlot: number): number;
}

export function readUserScores(outputs: ModelOutputs, row: number): UserScores {
  const [, heads = 1, hop1Width = 1, hop2Width = 1] = outputs.hop2_attention.dims;
  const topK = outputs.top_scores.dims[1] ?? 0;
  const explained = outputs.hop1_contribution.dims[1] ?? 0;
  const scores = outputs.top_scores.data as Float32Array;
  const items = outputs.top_items.data as BigInt64Array;
  const a1 = outputs.hop1_attention.data as Float32Array;
  const a2 = outputs.hop2_attention.data as Float32Array;
  const c1 = outputs.hop1_contribution.data as Float32Array;
  const c2 = outputs.hop2_contribution.data as Float32Array;
  const dim = outputs.user_vectors.dims[1] ?? 0;
  const userVector = (outputs.user_vectors.data as Float32Array).subarray(row * dim, (row + 1) * dim);

  const ranked: RankedItem[] = [];
  for (let k = 0; k < topK; k++) {
    const score = scores[row * topK + k]!;
    if (score <= EXCLUDED_SCORE_THRESHOLD) break;
    ranked.push({ itemIndex: Number(items[row * topK + k]), score });
  }
  // Contributions are addressed by explained rank; a rank the run did not explain has none to read.
  const explainedRow = (k: number) => {
    if (k >= explained) throw new RangeError(`rank ${k} was not explained: the run asked for ${explained} explained ranks`);
    return row * explained + k;
  };
  return {
    heads,
    userVector,
    ranked,
    explainedRanks: explained,
    hop1Attention: (h, f) => a1[(row * heads + h) * hop1Width + f]!,
    hop2Attention: (h, f, g) => a2[((row * heads + h) * hop1Width + f) * hop2Width + g]!,
    hop1Contribution: (k, f) => c1[explainedRow(k) * hop1Width + f]!,
    hop2Contribution: (k, f, g) => c2[(explainedRow(k) * hop1Width + f) * hop2Width + g]!,
  };
}
