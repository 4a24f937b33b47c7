import { itemRecord, type GraphStore, type ItemRecord, type Neighbourhood } from '../graph/index.js';
import { similarItemsExplanation, type ExplanationModel } from '../explain/index.js';
import { addScaled, assembleBatch, readUserScores, unitVector, type RecommendationModel } from '../inference/index.js';
import type { Candidates, RecommendationFilter } from './ranking/candidates.js';

/** Items like one item, by the model (docs/recommendation-surface.md, "Similar items"). */
export interface SimilarItemsRequest {
  readonly itemId: string;
  readonly first: number;
  readonly filter?: RecommendationFilter | null;
  /** Personalise for this user: their items are never returned, and their model score is blended in. */
  readonly userId?: string | null;
  /** The experiment variant serving the request (`src/experiments`); none outside an experiment. */
  readonly variant?: string | null;
}

export interface SimilarItemResult {
  /** The item asked about. */
  readonly source: ItemRecord;
  readonly item: ItemRecord;
  /** The cosine of the query direction (`SimilarityBasis`) with the item's candidate row, plus `PERSONAL_WEIGHT` × the user's cosine when personalised. */
  readonly score: number;
  readonly rank: number;
  readonly explanation: ExplanationModel;
}

/**
 * How much of a user's own model cosine `⟨ĥ_u, ĉ_i⟩` a personalised answer adds to the item-to-item
 * cosine. Accuracy rises with it up to the user's own recommendations (`npm run
 * bench:similar-items`), so it is a product choice: a quarter keeps the item's direction dominant.
 */
export const PERSONAL_WEIGHT = 0.25;

/** Ranks read beyond `first`, so an item withdrawn since the catalogue was last followed is replaced. */
const WITHDRAWN_SLACK = 5;

/** One query of a batched nearest-rows pass: a direction, the rows it may return, how many. */
export interface RowQuery {
  readonly direction: Float32Array;
  /** Per row, 0 to keep it or a large negative value to exclude it (a `score_bias` row). */
  readonly bias: Float32Array;
  readonly k: number;
}

export interface NearRow {
  readonly index: number;
  readonly score: number;
}

/**
 * For each query, its `k` best rows of `rows` (`n × dim`, row-major) by `⟨direction, row/‖row‖⟩`,
 * best first; rows with a negative bias and zero rows never appear. One pass over the table for all queries.
 */
export function nearestRows(rows: Float32Array, dim: number, queries: readonly RowQuery[]): NearRow[][] {
  const n = rows.length / dim;
  const inverseNorms = new Float64Array(n);
  if (queries.length > 0) {
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let k = i * dim, end = k + dim; k < end; k++) norm += rows[k]! * rows[k]!;
      inverseNorms[i] = norm === 0 ? 0 : 1 / Math.sqrt(norm);
    }
  }
  return queries.map(({ direction, bias, k: wanted }) => {
    const best: NearRow[] = [];
    for (let i = 0; i < n; i++) {
      if (bias[i]! < 0 || inverseNorms[i] === 0) continue;
      let dot = 0;
      for (let k = 0, offset = i * dim; k < dim; k++) dot += direction[k]! * rows[offset + k]!;
      const score = dot * inverseNorms[i]!;
      if (best.length === wanted && best[wanted - 1]!.score >= score) continue;
      insertBest(best, { index: i, score }, wanted);
    }
    return best;
  });
}

/** Keeps `list` the `k` best, best first, ties by lower index. */
function insertBest(list: NearRow[], row: NearRow, k: number): void {
  if (list.length === k && list[k - 1]!.score >= row.score) return;
  let at = list.length;
  while (at > 0 && list[at - 1]!.score < row.score) at--;
  list.splice(at, 0, row);
  if (list.length > k) list.pop();
}

/**
 * What an item is compared by. `ITEM_ROWS`: its own candidate row. `CO_USERS`: the model's
 * representation of someone whose one interaction is the item, `z_q = E_q + Σ_v β[q,v] · P_v`, its
 * layer-1 attention over its most recent co-users (the model's ranking for "people who chose it").
 * Served: `CO_USERS`, ahead on LastFM; on Gowalla `ITEM_ROWS` leads (docs/recommendation-surface.md, "Similar items").
 */
export type SimilarityBasis = 'ITEM_ROWS' | 'CO_USERS';

export interface SimilarItemsOptions {
  /** `PERSONAL_WEIGHT` when serving; the benchmark varies it. */
  readonly personalWeight?: number;
  readonly basis?: SimilarityBasis;
}

interface Personal {
  readonly interacted: ReadonlySet<string>;
  readonly neighbourhood: Neighbourhood | null;
}

/**
 * Similar items for a batch of requests: one store call for the query items' co-users (`CO_USERS`),
 * one for the personalising users' neighbourhoods (none without a `userId`), one model run for
 * all their representations, one pass over the candidate table for every request, one store call
 * for the records.
 */
export class SimilarItems {
  private readonly personalWeight: number;
  private readonly basis: SimilarityBasis;

  constructor(
    private readonly store: GraphStore,
    private readonly model: RecommendationModel,
    private readonly candidates: Candidates,
    { personalWeight = PERSONAL_WEIGHT, basis = 'CO_USERS' }: SimilarItemsOptions = {},
  ) {
    this.personalWeight = personalWeight;
    this.basis = basis;
  }

  async rank(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]> {
    const vocabulary = this.model.vocabulary;
    const dim = this.model.metadata.embeddingDim;
    const modelled = (id: string) => {
      const row = vocabulary.itemIndex.get(id);
      return row !== undefined && row < vocabulary.itemCount;
    };
    const itemIds = [...new Set(requests.map((r) => r.itemId).filter(modelled))];
    const userIds = [...new Set(requests.flatMap((r) => (r.userId ? [r.userId] : [])))];
    const [coUsers, personal] = await Promise.all([this.itemNeighbourhoods(itemIds), this.personal(userIds)]);
    const directions = await this.directions(coUsers, personal);

    const rows = this.model.candidateRows();
    const asked = requests.map((request) => {
      if (!modelled(request.itemId)) return null;
      const row = vocabulary.itemIndex.get(request.itemId)!;
      const own = this.basis === 'CO_USERS' ? directions.get(itemKey(request.itemId)) : rows.subarray(row * dim, (row + 1) * dim);
      if (!own?.some((x) => x !== 0)) return null;
      const direction = unitVector(own);
      const user = request.userId ? personal.get(request.userId) : undefined;
      const userDirection = request.userId ? directions.get(userKey(request.userId)) : undefined;
      if (userDirection && this.personalWeight !== 0) addScaled(direction, userDirection, this.personalWeight);
      const bias = this.candidates.bias(request.filter, [request.itemId, ...(user?.interacted ?? [])]);
      return { direction, bias, k: request.first + WITHDRAWN_SLACK };
    });
    const near = nearestRows(rows, dim, asked.flatMap((a) => (a ? [a] : [])));
    let next = 0;
    const ranked = asked.map((a) => (a ? near[next++]! : []));

    const ids = new Set(requests.map((r) => r.itemId));
    for (const list of ranked) for (const { index } of list) ids.add(vocabulary.itemId(index));
    const records = await this.store.items([...ids]);
    const byId = new Map(records.flatMap((record) => (record ? [[record.id, record] as const] : [])));
    const version = this.model.info.version;
    return requests.map((request, r) => {
      const source = byId.get(request.itemId);
      if (!source) return [];
      return ranked[r]!.flatMap(({ index, score }) => {
        const item = byId.get(vocabulary.itemId(index));
        return item?.available ? [{ item, score }] : [];
      })
        .slice(0, request.first)
        .map(({ item, score }, k) => ({ source, item, score, rank: k + 1, explanation: similarItemsExplanation(source, item, version) }));
    });
  }

  /**
   * For `CO_USERS`: per item, a neighbourhood whose one interaction is the item, with its most
   * recent users as co-users. The model reads ids only, so the item's record is not read here.
   */
  private async itemNeighbourhoods(itemIds: readonly string[]): Promise<Neighbourhood[]> {
    if (this.basis !== 'CO_USERS' || itemIds.length === 0) return [];
    const hop2 = this.model.metadata.fanouts[1]!;
    const users = await this.store.itemUsers(itemIds, hop2);
    return itemIds.map((id, i) => ({
      userId: itemKey(id),
      userExists: true,
      items: [{ item: itemRecord({ id, title: id }), type: 'VIEW', weight: 1, lastAt: new Date(0), coUsers: users[i]! }],
      interactedItemIds: new Set([id]),
    }));
  }

  /** Each personalising user's items, and their neighbourhood when the model can represent them. */
  private async personal(userIds: readonly string[]): Promise<Map<string, Personal>> {
    const byUser = new Map<string, Personal>();
    if (userIds.length === 0) return byUser;
    const [hop1, hop2] = this.model.metadata.fanouts;
    const vocabulary = this.model.vocabulary;
    for (const n of await this.store.neighbourhoods(userIds, { hop1, hop2 })) {
      const known = this.personalWeight !== 0 && n.items.some((i) => vocabulary.itemIndex.has(i.item.id));
      byUser.set(n.userId, { interacted: n.interactedItemIds, neighbourhood: known ? n : null });
    }
    return byUser;
  }

  /** The model's representation of each item neighbourhood and personal user, from one run; keyed by `itemKey` / `userKey`. */
  private async directions(items: readonly Neighbourhood[], personal: ReadonlyMap<string, Personal>): Promise<Map<string, Float32Array>> {
    const users = [...personal.values()].flatMap((p) => (p.neighbourhood ? [{ ...p.neighbourhood, userId: userKey(p.neighbourhood.userId) }] : []));
    const neighbourhoods = [...items, ...users];
    const directions = new Map<string, Float32Array>();
    if (neighbourhoods.length === 0) return directions;
    const vocabulary = this.model.vocabulary;
    // The representations only: one candidate, no contributions.
    const bias = neighbourhoods.map(() => new Float32Array(vocabulary.itemCount));
    const outputs = await this.model.run(assembleBatch(neighbourhoods, bias, vocabulary, 1, 0).inputs);
    neighbourhoods.forEach((n, row) => {
      const vector = readUserScores(outputs, row).userVector;
      if (vector.some((x) => x !== 0)) directions.set(n.userId, unitVector(vector));
    });
    return directions;
  }
}

const itemKey = (itemId: string) => `item\u0000${itemId}`;
const userKey = (userId: string) => `user\u0000${userId}`;

/**
 * Users counted per item when two items' shared users are counted: exact for items with fewer
 * users, among each item's most recent ones otherwise.
 */
export const SHARED_USERS_SAMPLE = 1000;

/** How many users interacted with both items of each pair, from one store call; aligned with `pairs`. */
export async function sharedUserCounts(store: GraphStore, pairs: readonly (readonly [string, string])[]): Promise<number[]> {
  const ids = [...new Set(pairs.flat())];
  const lists = await store.itemUsers(ids, SHARED_USERS_SAMPLE);
  const users = new Map(ids.map((id, i) => [id, new Set(lists[i]!.map((u) => u.userId))]));
  return pairs.map(([a, b]) => {
    const [small, large] = [users.get(a)!, users.get(b)!].sort((x, y) => x.size - y.size);
    let count = 0;
    for (const user of small!) if (large!.has(user)) count++;
    return count;
  });
}
