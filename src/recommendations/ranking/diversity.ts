import type { ItemRecord } from '../../graph/index.js';
import { dot } from '../../inference/index.js';

/** The model's item vectors, by item id; null for an item the model has no row for. */
export interface ItemSpace {
  vector(itemId: string): Float32Array | null;
}

interface Ranked {
  readonly item: ItemRecord;
  readonly adjusted: number;
}

/**
 * Picks `count` of `candidates` (best first) greedily by maximal marginal relevance (Carbonell &
 * Goldstein, 1998): each step takes the candidate maximising (1 − diversity) · relevance −
 * diversity · its highest cosine to those already taken, relevance being the score rescaled to
 * 0..1 over the candidates. At diversity 0 (or without item vectors) that is the given order.
 * Candidates `fits` refuses are passed over; `taken` hears of each pick.
 */
export function maximalMarginalRelevance<T extends Ranked>(
  candidates: readonly T[],
  count: number,
  diversity: number,
  space: ItemSpace | undefined,
  fits: (item: ItemRecord) => boolean,
  taken: (candidate: T) => void,
): T[] {
  const chosen: T[] = [];
  if (diversity <= 0 || !space) {
    for (const candidate of candidates) {
      if (chosen.length >= count) break;
      if (!fits(candidate.item)) continue;
      chosen.push(candidate);
      taken(candidate);
    }
    return chosen;
  }

  const vectors = candidates.map((c) => space.vector(c.item.id));
  const norms = vectors.map((v) => (v ? Math.sqrt(dot(v, v)) || 1 : 1));
  const scores = candidates.map((c) => c.adjusted);
  const low = Math.min(...scores);
  const span = Math.max(...scores) - low;
  const relevance = scores.map((s) => (span > 0 ? (s - low) / span : 1));
  // The highest cosine of each candidate to any chosen one, updated as picks are made.
  const closest = new Float64Array(candidates.length).fill(-1);
  const open = new Set(candidates.keys());

  while (chosen.length < count && open.size > 0) {
    let best = -1;
    let bestValue = -Infinity;
    for (const i of open) {
      if (!fits(candidates[i]!.item)) {
        open.delete(i);
        continue;
      }
      const redundancy = chosen.length === 0 || !vectors[i] ? 0 : Math.max(0, closest[i]!);
      const value = (1 - diversity) * relevance[i]! - diversity * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    open.delete(best);
    chosen.push(candidates[best]!);
    taken(candidates[best]!);
    const picked = vectors[best];
    if (!picked) continue;
    for (const i of open) {
      const vector = vectors[i];
      if (vector) closest[i] = Math.max(closest[i]!, dot(vector, picked) / (norms[i]! * norms[best]!));
    }
  }
  return chosen;
}
