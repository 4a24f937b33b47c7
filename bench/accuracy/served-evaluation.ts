import type { GraphStore, Neighbourhood, NewItem, SqliteGraphStore } from '../../src/graph/index.js';
import { assembleBatch, readUserScores, type RecommendationModel } from '../../src/inference/index.js';
import { Candidates, type RecommendationFilter } from '../../src/recommendations/index.js';
import type { UserItems } from './lightgcn-split.js';

/**
 * Fills a store with a split as the API would hold it: every interaction weight 1, and its time
 * its position among the user's interactions (train first, then valid), which is how training
 * reads the same files, so both sample the same neighbourhoods.
 */
export async function importSplit(store: SqliteGraphStore, itemCount: number, known: UserItems): Promise<number> {
  const items = Array.from({ length: itemCount }, (_, i) => ({ id: String(i), title: `item ${i}`, category: null }));
  const positioned = new Map([...known].map(([userId, ids]) => [userId, ids.map((itemId, position) => ({ itemId, position }))]));
  return importInteractions(store, items, positioned);
}

/** Writes `items`, then each user's interactions at weight 1 with their `position` as their time. */
export async function importInteractions(
  store: SqliteGraphStore,
  items: readonly NewItem[],
  byUser: ReadonlyMap<string, readonly { itemId: string; position: number }[]>,
): Promise<number> {
  await store.upsertItems(items);
  const interactions = [...byUser].flatMap(([userId, list]) =>
    list.map(({ itemId, position }) => ({ userId, itemId, type: 'CHECK_IN' as const, weight: 1, occurredAt: new Date(position) })),
  );
  return (await store.recordInteractions(interactions)).recordedCount;
}

export interface RankingMetrics {
  readonly recall: number;
  readonly ndcg: number;
  readonly users: number;
}

/** LightGCN's Recall@k and NDCG@k (binary relevance, ideal DCG over min(k, |relevant|)) of one ranking. */
export function rankingMetrics(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): { recall: number; ndcg: number } {
  let hits = 0;
  let dcg = 0;
  ranked.slice(0, k).forEach((item, rank) => {
    if (!relevant.has(item)) return;
    hits += 1;
    dcg += 1 / Math.log2(rank + 2);
  });
  let ideal = 0;
  for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
  return { recall: hits / relevant.size, ndcg: ideal > 0 ? dcg / ideal : 0 };
}

export interface ServedPath {
  readonly store: GraphStore;
  readonly model: RecommendationModel;
  readonly candidates: Candidates;
}

export async function servedPath(store: GraphStore, model: RecommendationModel): Promise<ServedPath> {
  return { store, model, candidates: new Candidates(model.vocabulary, await store.items(model.metadata.items)) };
}

/** The served neighbourhoods of `userIds`, at the model's fan-outs. */
export function sampleNeighbourhoods(path: ServedPath, userIds: readonly string[]): Promise<Neighbourhood[]> {
  const [hop1, hop2] = path.model.metadata.fanouts;
  return path.store.neighbourhoods(userIds, { hop1, hop2 });
}

export interface ServedEvaluationOptions {
  /** Narrows the candidates as a request's filter does; the user's own items are always excluded. */
  readonly filter?: RecommendationFilter | null;
  /** Sees every user's top k, best first. */
  readonly onRanked?: (userId: string, ranked: readonly string[]) => void;
  /** Users per model run (default 256). */
  readonly batchSize?: number;
}

/**
 * Ranks the catalogue for every test user exactly as a recommendation request does (store
 * sampling, candidate masks without the user's items, tensor assembly, one onnxruntime run per
 * batch) and scores the top k against the user's test items.
 */
export async function evaluateServed(path: ServedPath, test: UserItems, k: number, options: ServedEvaluationOptions = {}): Promise<RankingMetrics> {
  const { filter = null, onRanked, batchSize = 256 } = options;
  const users = [...test.keys()];
  let recall = 0;
  let ndcg = 0;
  for (let lo = 0; lo < users.length; lo += batchSize) {
    const batchUsers = users.slice(lo, lo + batchSize);
    const neighbourhoods = await sampleNeighbourhoods(path, batchUsers);
    const batch = assembleBatch(
      neighbourhoods,
      neighbourhoods.map((n) => path.candidates.bias(filter, n.interactedItemIds)),
      path.model.vocabulary,
      k,
      0,
    );
    const outputs = await path.model.run(batch.inputs);
    batchUsers.forEach((userId, row) => {
      const ranked = readUserScores(outputs, row).ranked.slice(0, k).map((r) => path.model.vocabulary.itemId(r.itemIndex));
      onRanked?.(userId, ranked);
      const metrics = rankingMetrics(ranked, new Set(test.get(userId)), k);
      recall += metrics.recall;
      ndcg += metrics.ndcg;
    });
  }
  return { recall: recall / users.length, ndcg: ndcg / users.length, users: users.length };
}
