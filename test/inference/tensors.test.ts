import { describe, expect, it } from 'vitest';
import type { Neighbourhood } from '../../src/graph/index.js';
import { assembleBatch, ModelVocabulary } from '../../src/inference/index.js';

const vocabulary = new ModelVocabulary(['a', 'b', 'c'], ['u1', 'u2']);
const at = new Date(0);
const item = (id: string) => ({ id, title: id.toUpperCase(), category: null, description: null, tags: [], available: true });

const alice: Neighbourhood = {
  userId: 'alice',
  userExists: true,
  interactedItemIds: new Set(['a', 'new-item', 'b']),
  items: [
    { item: item('a'), type: 'VIEW', weight: 2, lastAt: at, coUsers: [{ userId: 'u2', weight: 1, lastAt: at }] },
    { item: item('new-item'), type: 'VIEW', weight: 1, lastAt: at, coUsers: [] },
    {
      item: item('b'),
      type: 'VIEW',
      weight: 3,
      lastAt: at,
      coUsers: [
        { userId: 'unknown-user', weight: 1, lastAt: at },
        { userId: 'u1', weight: 1, lastAt: at },
      ],
    },
  ],
};
const bob: Neighbourhood = {
  userId: 'bob',
  userExists: true,
  interactedItemIds: new Set(['c']),
  items: [{ item: item('c'), type: 'VIEW', weight: 1, lastAt: at, coUsers: [] }],
};

describe('tensor assembly', () => {
  const biases = [new Float32Array([-1e9, -1e9, 0]), new Float32Array([0, 0, -1e9])];
  const batch = assembleBatch([alice, bob], biases, vocabulary, 2, 2);

  it('pads to the widest real row of the batch, leaving out neighbours the model does not know', () => {
    expect(batch.hop1Width).toBe(2);
    expect(batch.hop2Width).toBe(1);
    expect(batch.slots[0]!.items.map((n) => n.item.id)).toEqual(['a', 'b']);
    expect(batch.slots[0]!.coUsers.map((c) => c.map((u) => u.userId))).toEqual([['u2'], ['u1']]);
  });

  it('fills indices, weights and masks, with padding masked', () => {
    const { inputs } = batch;
    expect(inputs.hop1_items.dims).toEqual([2, 2]);
    expect([...inputs.hop1_items.data]).toEqual([0n, 1n, 2n, 0n]);
    expect([...inputs.hop1_weight.data]).toEqual([2, 3, 1, 1]);
    expect([...inputs.hop1_mask.data]).toEqual([1, 1, 1, 0]);
    expect(inputs.hop2_users.dims).toEqual([2, 2, 1]);
    expect([...inputs.hop2_users.data]).toEqual([1n, 0n, 0n, 0n]);
    expect([...inputs.hop2_mask.data]).toEqual([1, 1, 0, 0]);
    expect([...inputs.score_bias.data]).toEqual([-1e9, -1e9, 0, 0, 0, -1e9]);
    expect([...inputs.top_k.data]).toEqual([2n]);
    expect(inputs.explain_ranks.dims).toEqual([2]);
    expect([...inputs.explain_ranks.data]).toEqual([0n, 1n]);
  });

  it('writes embedding rows of any size into the int64 tensors exactly', () => {
    // Only the lookups assembly reads: a real vocabulary this large would not fit in a test.
    const large = {
      itemIndex: new Map([['a', 2_000_000_001]]),
      userIndex: new Map([
        ['u1', 65_537],
        ['u2', 1_999_999_999],
      ]),
      itemCount: 1,
    } as unknown as ModelVocabulary;
    const coUsers = [...alice.items[2]!.coUsers, { userId: 'u2', weight: 1, lastAt: at }];
    const row: Neighbourhood = { ...alice, items: [{ item: item('a'), type: 'VIEW', weight: 1, lastAt: at, coUsers }] };
    const { inputs } = assembleBatch([row], [new Float32Array([0])], large, 1, 0);
    expect([...inputs.hop1_items.data]).toEqual([2_000_000_001n]);
    expect(inputs.explain_ranks.dims).toEqual([0]);
    expect([...inputs.hop2_users.data]).toEqual([65_537n, 1_999_999_999n]);
  });

  it('refuses a score bias of the wrong size', () => {
    expect(() => assembleBatch([bob], [new Float32Array(2)], vocabulary, 1, 0)).toThrow(/3 entries/);
  });

  it('includes items given a row after training and never asks for more items than there are', () => {
    const grown = new ModelVocabulary(['a', 'b', 'c'], ['u1', 'u2']);
    grown.rowFor('new-item');
    const { inputs, slots } = assembleBatch([alice], [new Float32Array(4)], grown, 10, 1);
    expect(slots[0]!.items.map((n) => n.item.id)).toEqual(['a', 'new-item', 'b']);
    expect([...inputs.hop1_items.data]).toEqual([0n, 3n, 1n]);
    expect([...inputs.top_k.data]).toEqual([4n]);
  });
});
