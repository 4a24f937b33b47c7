import { modelWeight, type CoUserNeighbour, type ItemNeighbour, type Neighbourhood } from '../graph/index.js';
import type { RunInputName } from './model-contract.js';
import type { ModelVocabulary } from './vocabulary.js';

export type TensorData =
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] }
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int8'; readonly data: Int8Array; readonly dims: readonly number[] };

/** Which neighbour each input slot of one batch row holds, so outputs can be read back by slot. */
export interface NeighbourSlots {
  readonly items: readonly ItemNeighbour[];
  /** `coUsers[f]` are the co-users in the hop-2 slots of hop-1 slot `f`. */
  readonly coUsers: readonly (readonly CoUserNeighbour[])[];
}

export type RunInputs = Readonly<Record<RunInputName, TensorData>>;

export interface AssembledBatch {
  readonly inputs: RunInputs;
  readonly slots: readonly NeighbourSlots[];
  readonly hop1Width: number;
  readonly hop2Width: number;
}

/** One batch row's known neighbours and their embedding rows. */
interface IndexedRow {
  readonly slots: NeighbourSlots;
  readonly itemIndices: readonly number[];
  readonly userIndices: readonly (readonly number[])[];
}

/**
 * Packs sampled neighbourhoods into the model's padded, masked input tensors, asking for the best
 * `topK` items and the contributions of the first `explainedRanks` ranks of every row (the model
 * computes no others). `scoreBiases` (one row per neighbourhood, as long as the vocabulary) say
 * which items are excluded. Neighbours the model has no row for (users added after training, items
 * not yet given a row) are left out, and the rest are packed to the front, so a slot's position
 * says nothing but its sampling order. Padding is as small as the batch allows: the widths are
 * the largest real counts in the batch (at least 1).
 */
export function assembleBatch(
  neighbourhoods: readonly Neighbourhood[],
  scoreBiases: readonly Float32Array[],
  vocabulary: ModelVocabulary,
  topK: number,
  explainedRanks: number,
): AssembledBatch {
  const rows = neighbourhoods.map((n) => indexRow(n, vocabulary));
  const batch = neighbourhoods.length;
  let hop1Width = 1;
  let hop2Width = 1;
  for (const { userIndices } of rows) {
    hop1Width = Math.max(hop1Width, userIndices.length);
    for (const users of userIndices) hop2Width = Math.max(hop2Width, users.length);
  }
  const n = vocabulary.itemCount;

  const hop1Items = new BigInt64Array(batch * hop1Width);
  const hop1Weight = new Float32Array(batch * hop1Width).fill(1);
  const hop1Mask = new Float32Array(batch * hop1Width);
  const hop2Users = new BigInt64Array(batch * hop1Width * hop2Width);
  const hop2Mask = new Float32Array(batch * hop1Width * hop2Width);
  const scoreBias = new Float32Array(batch * n);
  const explainRanks = new BigInt64Array(explainedRanks);
  const setItem = int64Writer(hop1Items);
  const setUser = int64Writer(hop2Users);
  const setRank = int64Writer(explainRanks);
  for (let r = 0; r < explainedRanks; r++) setRank(r, r);

  rows.forEach(({ slots, itemIndices, userIndices }, b) => {
    itemIndices.forEach((itemIndex, f) => {
      const slot = b * hop1Width + f;
      setItem(slot, itemIndex);
      hop1Weight[slot] = modelWeight(slots.items[f]!.weight);
      hop1Mask[slot] = 1;
      userIndices[f]!.forEach((userIndex, g) => {
        const coSlot = slot * hop2Width + g;
        setUser(coSlot, userIndex);
        hop2Mask[coSlot] = 1;
      });
    });
    const bias = scoreBiases[b];
    if (bias === undefined || bias.length !== n) throw new Error(`score bias ${b} must have ${n} entries`);
    scoreBias.set(bias, b * n);
  });

  return {
    inputs: {
      hop1_items: { type: 'int64', data: hop1Items, dims: [batch, hop1Width] },
      hop1_weight: { type: 'float32', data: hop1Weight, dims: [batch, hop1Width] },
      hop1_mask: { type: 'float32', data: hop1Mask, dims: [batch, hop1Width] },
      hop2_users: { type: 'int64', data: hop2Users, dims: [batch, hop1Width, hop2Width] },
      hop2_mask: { type: 'float32', data: hop2Mask, dims: [batch, hop1Width, hop2Width] },
      score_bias: { type: 'float32', data: scoreBias, dims: [batch, n] },
      top_k: { type: 'int64', data: BigInt64Array.of(BigInt(Math.min(topK, n))), dims: [1] },
      explain_ranks: { type: 'int64', data: explainRanks, dims: [explainedRanks] },
    },
    slots: rows.map((row) => row.slots),
    hop1Width,
    hop2Width,
  };
}

/** The neighbours of `n` the model knows, looked up once; lists with nothing unknown are kept as they are. */
function indexRow(n: Neighbourhood, vocabulary: ModelVocabulary): IndexedRow {
  const items: ItemNeighbour[] = [];
  const itemIndices: number[] = [];
  const coUsers: (readonly CoUserNeighbour[])[] = [];
  const userIndices: number[][] = [];
  for (const neighbour of n.items) {
    const itemIndex = vocabulary.itemIndex.get(neighbour.item.id);
    if (itemIndex === undefined) continue;
    const known: CoUserNeighbour[] = [];
    const users: number[] = [];
    for (const co of neighbour.coUsers) {
      const userIndex = vocabulary.userIndex.get(co.userId);
      if (userIndex === undefined) continue;
      known.push(co);
      users.push(userIndex);
    }
    items.push(neighbour);
    itemIndices.push(itemIndex);
    coUsers.push(known.length === neighbour.coUsers.length ? neighbour.coUsers : known);
    userIndices.push(users);
  }
  return { slots: { items, coUsers }, itemIndices, userIndices };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Writes embedding rows (small non-negative integers) into an int64 tensor. On little-endian hosts
 * it sets the low 32-bit word of the zeroed slot, which spares a BigInt allocation per slot.
 */
function int64Writer(array: BigInt64Array): (slot: number, value: number) => void {
  if (!LITTLE_ENDIAN) return (slot, value) => (array[slot] = BigInt(value));
  const words = new Int32Array(array.buffer, array.byteOffset, array.length * 2);
  return (slot, value) => (words[2 * slot] = value);
}
