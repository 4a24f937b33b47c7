import type { CoUserNeighbour, ItemNeighbour, Neighbourhood } from '../graph/index.js';
import type { ModelInputName } from './model-contract.js';

/** Maps store ids to the model's embedding rows. */
export interface ModelVocabulary {
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemCount: number;
}

export type TensorData =
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] }
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] };

/** Which neighbour each input slot of one batch row holds, so outputs can be read back by slot. */
export interface NeighbourSlots {
  readonly items: readonly ItemNeighbour[];
  /** `coUsers[f]` are the co-users in the hop-2 slots of hop-1 slot `f`. */
  readonly coUsers: readonly (readonly CoUserNeighbour[])[];
}

export interface AssembledBatch {
  readonly inputs: Readonly<Record<ModelInputName, TensorData>>;
  readonly slots: readonly NeighbourSlots[];
  readonly hop1Width: number;
  readonly hop2Width: number;
}

/**
 * Packs sampled neighbourhoods into the model's padded, masked input tensors, asking for the
 * contributions of the first `explainedRanks` ranks of every row (the model computes no others). Neighbours the model
 * has no embedding for (items or users added after training) are left out, and the rest are packed
 * to the front, so a slot's position says nothing but its sampling order. Padding is as small as
 * the batch allows: the widths are the largest real counts in the batch (at least 1).
 */
export function assembleBatch(
  neighbourhoods: readonly Neighbourhood[],
  candidateMasks: readonly Float32Array[],
  vocabulary: ModelVocabulary,
  explainedRanks: number,
): AssembledBatch {
  const slots = neighbourhoods.map((n): NeighbourSlots => {
    const items = n.items.filter((neighbour) => vocabulary.itemIndex.has(neighbour.item.id));
    return { items, coUsers: items.map((i) => i.coUsers.filter((co) => vocabulary.userIndex.has(co.userId))) };
  });
  const batch = neighbourhoods.length;
  const hop1Width = Math.max(1, ...slots.map((s) => s.items.length));
  const hop2Width = Math.max(1, ...slots.flatMap((s) => s.coUsers.map((c) => c.length)));
  const n = vocabulary.itemCount;

  const hop1Items = new BigInt64Array(batch * hop1Width);
  const hop1Weight = new Float32Array(batch * hop1Width).fill(1);
  const hop1Mask = new Float32Array(batch * hop1Width);
  const hop2Users = new BigInt64Array(batch * hop1Width * hop2Width);
  const hop2Mask = new Float32Array(batch * hop1Width * hop2Width);
  const candidateMask = new Float32Array(batch * n);

  slots.forEach((row, b) => {
    row.items.forEach((neighbour, f) => {
      const slot = b * hop1Width + f;
      hop1Items[slot] = BigInt(vocabulary.itemIndex.get(neighbour.item.id)!);
      hop1Weight[slot] = neighbour.weight;
      hop1Mask[slot] = 1;
      row.coUsers[f]!.forEach((co, g) => {
        const coSlot = slot * hop2Width + g;
        hop2Users[coSlot] = BigInt(vocabulary.userIndex.get(co.userId)!);
        hop2Mask[coSlot] = 1;
      });
    });
    const mask = candidateMasks[b];
    if (mask === undefined || mask.length !== n) throw new Error(`candidate mask ${b} must have ${n} entries`);
    candidateMask.set(mask, b * n);
  });

  return {
    inputs: {
      hop1_items: { type: 'int64', data: hop1Items, dims: [batch, hop1Width] },
      hop1_weight: { type: 'float32', data: hop1Weight, dims: [batch, hop1Width] },
      hop1_mask: { type: 'float32', data: hop1Mask, dims: [batch, hop1Width] },
      hop2_users: { type: 'int64', data: hop2Users, dims: [batch, hop1Width, hop2Width] },
      hop2_mask: { type: 'float32', data: hop2Mask, dims: [batch, hop1Width, hop2Width] },
      candidate_mask: { type: 'float32', data: candidateMask, dims: [batch, n] },
      explain_ranks: { type: 'int64', data: BigInt64Array.from({ length: explainedRanks }, (_, r) => BigInt(r)), dims: [explainedRanks] },
    },
    slots,
    hop1Width,
    hop2Width,
  };
}
