import { createHash } from 'node:crypto';

/**
 * The index of the variant a user belongs to: a point in [0, 1) from a hash of the experiment's
 * name and the user's id, placed among the variants' cumulative shares. Sticky for as long as the
 * experiment keeps its name and shares, on every API process; another experiment name reshuffles.
 */
export function variantIndex(experiment: string, shares: readonly number[], userId: string): number {
  const digest = createHash('sha256').update(experiment).update('\u0000').update(userId).digest();
  const point = digest.readUIntBE(0, 6) / 2 ** 48;
  let cumulative = 0;
  for (let i = 0; i < shares.length; i++) {
    cumulative += shares[i]!;
    if (point < cumulative) return i;
  }
  return shares.length - 1;
}
