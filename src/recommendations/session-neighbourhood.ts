import {
  DEFAULT_INTERACTION_WEIGHTS,
  INTERACTION_TYPE_STRENGTH,
  type CoUserNeighbour,
  type GraphStore,
  type InteractionType,
  type ItemNeighbour,
  type ItemRecord,
  type Neighbourhood,
} from '../graph/index.js';

/** One item of a visitor's session, given with the request: never stored. */
export interface SessionItem {
  readonly itemId: string;
  readonly type: InteractionType;
}

/** The store's word on every session item of a batch: records and hop-2 users, one round trip per kind. */
export interface SessionEvidence {
  readonly records: ReadonlyMap<string, ItemRecord>;
  readonly users: ReadonlyMap<string, readonly CoUserNeighbour[]>;
}

const NO_EVIDENCE: SessionEvidence = { records: new Map(), users: new Map() };

/**
 * Reads the records and most recent users of every item of `sessions` with one `items` and one
 * `itemUsers` call for all of them. One user more than `hop2` is read per item, so that the
 * session's own user, when given, can leave the item's hop 2 and the fan-out stays full.
 */
export async function readSessionEvidence(store: GraphStore, sessions: readonly (readonly SessionItem[])[], hop2: number): Promise<SessionEvidence> {
  const ids = [...new Set(sessions.flatMap((session) => session.map((s) => s.itemId)))];
  if (ids.length === 0) return NO_EVIDENCE;
  const [records, users] = await Promise.all([store.items(ids), store.itemUsers(ids, hop2 + 1)]);
  return {
    records: new Map(records.flatMap((record) => (record ? [[record.id, record] as const] : []))),
    users: new Map(ids.map((id, i) => [id, users[i]!])),
  };
}

const stronger = (a: InteractionType, b: InteractionType) =>
  INTERACTION_TYPE_STRENGTH.indexOf(a) >= INTERACTION_TYPE_STRENGTH.indexOf(b) ? a : b;

/**
 * The neighbourhood of a request's session, joined to its user's history when it has a user
 * (`history`, already sampled under `most-recent-first/v1`; null for an anonymous visitor). Session
 * items are the most recent interactions there are: they come first in their given order, each
 * with its type's default weight and, as hop 2, the item's most recent users (the user aside),
 * exactly as the sampling policy orders them. An item both in the session and in the history is
 * one edge: weights summed, the stronger type, the history's co-users. Items the store does not
 * know are left out; the model leaves out those it has no row for. Every session item counts as
 * interacted with, so none is recommended back.
 */
export function sessionNeighbourhood(
  history: Neighbourhood | null,
  session: readonly SessionItem[],
  evidence: SessionEvidence,
  fanouts: { readonly hop1: number; readonly hop2: number },
  now: Date,
): Neighbourhood {
  const past = new Map((history?.items ?? []).map((n) => [n.item.id, n]));
  const fromSession = new Map<string, ItemNeighbour>();
  for (const { itemId, type } of session) {
    const item = evidence.records.get(itemId);
    if (!item) continue;
    const seen = fromSession.get(itemId) ?? past.get(itemId);
    const weight = DEFAULT_INTERACTION_WEIGHTS[type];
    fromSession.set(
      itemId,
      seen
        ? { ...seen, weight: seen.weight + weight, type: stronger(seen.type, type), lastAt: now }
        : {
            item,
            type,
            weight,
            lastAt: now,
            coUsers: (evidence.users.get(itemId) ?? []).filter((co) => co.userId !== history?.userId).slice(0, fanouts.hop2),
          },
    );
  }
  const rest = (history?.items ?? []).filter((n) => !fromSession.has(n.item.id));
  return {
    userId: history?.userId ?? '',
    userExists: history?.userExists ?? false,
    items: [...fromSession.values(), ...rest].slice(0, fanouts.hop1),
    interactedItemIds: new Set([...(history?.interactedItemIds ?? []), ...session.map((s) => s.itemId)]),
  };
}
