import type { GraphStore, ItemRecord, Neighbourhood } from '../graph/index.js';
import { similarItemsExplanation, type ExplanationModel } from '../explain/index.js';
import { addScaled, assembleBatch, readUserScores, unitVector, type RecommendationModel } from '../inference/index.js';
import type { Candidates, RecommendationFilter } from './candidates.js';

/** Items like one item, by the model's item space (docs/recommendation-surface.md, "Similar items"). */
export interface SimilarItemsRequest {
  readonly itemId: string;
  readonly first: number;
  readonly filter?: RecommendationFilter | null;
  /** Personalise for this user: their items are never returned, and their model score is blended in. */
  readonly userId?: string | null;
}

export interface SimilarItemResult {
  /** The item asked about. */
  readonly source: ItemRecord;
  readonly item: ItemRecord;
  /** The cosine of the two items' candidate rows, plus `PERSONAL_WEIGHT` × the user's cosine when personalised. */
  readonly score: number;
  readonly rank: number;
  readonly explanation: ExplanationModel;
}

/**
 * How much of a user's own model cosine `⟨ĥ_u, ĉ_i⟩` a personalised answer adds to the item-to-item
 * cosine; measured by `npm run bench:similar-items` (docs/recommendation-surface.md).
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
  const best: NearRow[][] = queries.map(() => []);
  if (queries.length === 0) return best;
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += rows[offset + k]! * rows[offset + k]!;
    if (norm === 0) continue;
    const inverse = 1 / Math.sqrt(norm);
    queries.forEach(({ direction, bias, k: wanted }, q) => {
      if (bias[i]! < 0) return;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += direction[k]! * rows[offset + k]!;
      insertBest(best[q]!, { index: i, score: dot * inverse }, wanted);
    });
  }
  return best;
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
 * Similar items for a batch of requests: one store call for the personalising users'
 * neighbourhoods (none without a `userId`), one model run for their representations, one pass
 * over the candidate table for every request, one store call for the records.
 */
export class SimilarItems {
  constructor(
    private readonly store: GraphStore,
    private readonly model: RecommendationModel,
    private readonly candidates: Candidates,
  ) {}

  async rank(requests: readonly SimilarItemsRequest[]): Promise<SimilarItemResult[][]> {
    const vocabulary = this.model.vocabulary;
    const users = await this.userDirections(requests);
    const rows = this.model.candidateRows();
    const dim = this.model.metadata.embeddingDim;
    const asked = requests.map((request) => {
      const row = vocabulary.itemIndex.get(request.itemId);
      if (row === undefined || row * dim >= rows.length) return null;
      const own = rows.subarray(row * dim, (row + 1) * dim);
      if (!own.some((x) => x !== 0)) return null;
      const user = request.userId ? users.get(request.userId) : undefined;
      const direction = unitVector(Float32Array.from(own));
      if (user?.direction) addScaled(direction, user.direction, PERSONAL_WEIGHT);
      const bias = this.candidates.bias(request.filter, [request.itemId, ...(user?.interacted ?? [])]);
      return { row, query: { direction, bias, k: request.first + WITHDRAWN_SLACK } };
    });
    const queries = asked.flatMap((a) => (a ? [a.query] : []));
    const near = nearestRows(rows, dim, queries);
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

  /** Each personalising user's items, and their unit `h_u` when the model can represent them. */
  private async userDirections(
    requests: readonly SimilarItemsRequest[],
  ): Promise<Map<string, { interacted: ReadonlySet<string>; direction: Float32Array | null }>> {
    const userIds = [...new Set(requests.flatMap((r) => (r.userId ? [r.userId] : [])))];
    const byUser = new Map<string, { interacted: ReadonlySet<string>; direction: Float32Array | null }>();
    if (userIds.length === 0) return byUser;
    const [hop1, hop2] = this.model.metadata.fanouts;
    const neighbourhoods = await this.store.neighbourhoods(userIds, { hop1, hop2 });
    const vocabulary = this.model.vocabulary;
    const modelled: Neighbourhood[] = neighbourhoods.filter((n) => n.items.some((i) => vocabulary.itemIndex.has(i.item.id)));
    for (const n of neighbourhoods) byUser.set(n.userId, { interacted: n.interactedItemIds, direction: null });
    if (modelled.length === 0) return byUser;
    // The user vectors only: one candidate, no contributions.
    const bias = modelled.map(() => new Float32Array(vocabulary.itemCount));
    const batch = assembleBatch(modelled, bias, vocabulary, 1, 0);
    const outputs = await this.model.run(batch.inputs);
    modelled.forEach((n, row) => {
      const vector = readUserScores(outputs, row).userVector;
      if (vector.some((x) => x !== 0)) byUser.set(n.userId, { interacted: n.interactedItemIds, direction: unitVector(Float32Array.from(vector)) });
    });
    return byUser;
  }
}

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
