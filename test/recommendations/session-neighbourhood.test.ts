import { describe, expect, it } from 'vitest';
import type { ItemNeighbour, ItemRecord, Neighbourhood } from '../../src/graph/index.js';
import { sessionNeighbourhood, type SessionEvidence } from '../../src/recommendations/index.js';

const record = (id: string): ItemRecord => ({ id, title: id.toUpperCase(), category: null, description: null, tags: [], available: true });
const users = (...ids: string[]) => ids.map((userId, i) => ({ userId, weight: 1, lastAt: new Date(1000 - i) }));

const neighbour = (id: string, coUserIds: string[]): ItemNeighbour => ({
  item: record(id),
  type: 'LIKE',
  weight: 2,
  lastAt: new Date(0),
  coUsers: users(...coUserIds),
});

const history: Neighbourhood = {
  userId: 'u',
  userExists: true,
  items: [neighbour('a', ['v1']), neighbour('b', ['v2'])],
  interactedItemIds: new Set(['a', 'b', 'z']),
};

const evidence: SessionEvidence = {
  records: new Map(['a', 'x', 'y'].map((id) => [id, record(id)])),
  users: new Map([
    ['a', users('u', 'v1')],
    ['x', users('u', 'w1', 'w2', 'w3')],
    ['y', users('w4')],
  ]),
};

const now = new Date(5000);

describe('session neighbourhoods', () => {
  it('puts the visit first, in its order, with type weights and the items’ most recent users', () => {
    const n = sessionNeighbourhood(null, [{ itemId: 'y', type: 'PURCHASE' }, { itemId: 'x', type: 'VIEW' }], evidence, { hop1: 5, hop2: 2 }, now);
    expect(n.userExists).toBe(false);
    expect(n.items.map((i) => [i.item.id, i.type, i.weight, i.lastAt])).toEqual([
      ['y', 'PURCHASE', 3, now],
      ['x', 'VIEW', 1, now],
    ]);
    // The hop-2 fan-out is honoured; anonymous, so no co-user is the visitor.
    expect(n.items[1]!.coUsers.map((c) => c.userId)).toEqual(['u', 'w1']);
    expect([...n.interactedItemIds]).toEqual(['y', 'x']);
  });

  it('joins a user’s history behind the visit, merging an item in both and leaving the user out of hop 2', () => {
    const n = sessionNeighbourhood(history, [{ itemId: 'x', type: 'VIEW' }, { itemId: 'a', type: 'PURCHASE' }], evidence, { hop1: 3, hop2: 2 }, now);
    expect(n.items.map((i) => i.item.id)).toEqual(['x', 'a', 'b']);
    expect(n.items[0]!.coUsers.map((c) => c.userId)).toEqual(['w1', 'w2']);
    expect(n.items[1]).toMatchObject({ type: 'PURCHASE', weight: 5, lastAt: now });
    expect(n.items[1]!.coUsers.map((c) => c.userId)).toEqual(['v1']);
    expect(new Set(n.interactedItemIds)).toEqual(new Set(['a', 'b', 'z', 'x']));
  });

  it('cuts to the hop-1 fan-out and skips items the store does not know, still excluding them', () => {
    const n = sessionNeighbourhood(history, [{ itemId: 'gone', type: 'VIEW' }, { itemId: 'y', type: 'VIEW' }], evidence, { hop1: 2, hop2: 2 }, now);
    expect(n.items.map((i) => i.item.id)).toEqual(['y', 'a']);
    expect(n.interactedItemIds.has('gone')).toBe(true);
  });
});
