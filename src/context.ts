import DataLoader from 'dataloader';
import type { Experiments } from './experiments/index.js';
import { servedRecommendation, servedSimilarItem, type Feedback, type ServedRecommendation, type ServedSimilarItem } from './feedback/index.js';
import type { GraphStore, InteractionRecord, ItemRecord, RecommendationSurface, UserRef } from './graph/index.js';
import {
  sharedUserCounts,
  type CatalogueFollower,
  type RankedLists,
  type RecommendationRequest,
  type Recommender,
  type SimilarItemsRequest,
} from './recommendations/index.js';
import type { AccessPolicy, Caller, ErasureAudit } from './security/index.js';

/** Long-lived services, created once at start. */
export interface Services {
  readonly store: GraphStore;
  /** Ranks batches of requests, each with its experiment variant's model; batches across concurrent requests when that is on. */
  readonly recommendations: Recommender;
  /** Which experiment variant serves whom. */
  readonly experiments: Experiments;
  /** Names served answers, keeps their impressions, reports what came of them. */
  readonly feedback: Feedback;
  /** Ranked lists kept for a while, read page by page (`Query.recommendationList`). */
  readonly rankedLists: RankedLists;
  /** Told of item and interaction writes, so recommendations follow them on the next query. */
  readonly catalogue: CatalogueFollower;
  readonly access: AccessPolicy;
  readonly erasureAudit: ErasureAudit;
}

export interface InteractionsRequest {
  readonly userId: string;
  readonly first: number;
}

/**
 * DataLoaders, one set per request: every key asked for while resolving one operation (aliases,
 * lists, nested users) is batched into one store or model call.
 */
export interface Loaders {
  /** Each answer named (`recommendationId`) and its impressions kept. */
  readonly recommendations: DataLoader<RecommendationRequest, ServedRecommendation[], string>;
  readonly similarItems: DataLoader<SimilarItemsRequest, ServedSimilarItem[], string>;
  /** How many users interacted with both items of a pair. */
  readonly sharedUserCount: DataLoader<readonly [string, string], number, string>;
  readonly item: DataLoader<string, ItemRecord | null>;
  readonly user: DataLoader<string, UserRef | null>;
  readonly interactionCount: DataLoader<string, number>;
  readonly interactions: DataLoader<InteractionsRequest, InteractionRecord[], string>;
  /** The catalogue's categories, read at most once per request. */
  readonly categories: () => Promise<string[]>;
}

export interface RequestContext {
  readonly services: Services;
  readonly loaders: Loaders;
  readonly caller: Caller;
}

export function createRequestContext(services: Services, caller: Caller): RequestContext {
  return { services, loaders: createLoaders(services), caller };
}

/** Names an answer served to `userId` by `variant` and keeps its impressions. */
export function serveAnswer(
  { experiments, feedback }: Pick<Services, 'experiments' | 'feedback'>,
  surface: RecommendationSurface,
  variant: string | null | undefined,
  userId: string | null,
  ranked: readonly { readonly item: ItemRecord; readonly rank: number }[],
  recommendationId?: string,
) {
  const labels = experiments.labelsOf(surface, variant);
  const id = recommendationId ?? feedback.newAnswer(labels);
  feedback.served(
    id,
    labels,
    userId,
    ranked.map((r) => ({ itemId: r.item.id, rank: r.rank })),
  );
  return { recommendationId: id, variant: variant ?? null };
}

function createLoaders(services: Services): Loaders {
  const { store, recommendations } = services;
  let categories: Promise<string[]> | undefined;
  return {
    categories: () => (categories ??= store.categories()),
    recommendations: new DataLoader(
      async (requests) =>
        (await recommendations.recommend(requests)).map((ranked, i) => {
          const { userId, variant } = requests[i]!;
          const answer = serveAnswer(services, 'RECOMMENDATIONS', variant, userId, ranked);
          return ranked.map((r) => servedRecommendation(r, answer));
        }),
      {
        // Whether explanations are wanted is part of the key: a request for them never shares a result without them.
        cacheKeyFn: (r) =>
          JSON.stringify([r.userId, r.session ?? null, r.first, r.filter ?? null, r.ignoreItemIds ?? null, r.policy ?? null, r.explain ?? true, r.variant ?? null]),
      },
    ),
    similarItems: new DataLoader(
      async (requests) =>
        (await recommendations.similarItems(requests)).map((similar, i) => {
          const { userId, variant } = requests[i]!;
          const answer = serveAnswer(services, 'SIMILAR_ITEMS', variant, userId ?? null, similar);
          return similar.map((r) => servedSimilarItem(r, answer));
        }),
      { cacheKeyFn: (r) => JSON.stringify([r.itemId, r.first, r.filter ?? null, r.userId ?? null, r.variant ?? null]) },
    ),
    sharedUserCount: new DataLoader((pairs) => sharedUserCounts(store, pairs), { cacheKeyFn: ([a, b]) => `${a}\u0000${b}` }),
    item: new DataLoader((ids) => store.items(ids)),
    user: new DataLoader((ids) => store.users(ids)),
    interactionCount: new DataLoader((ids) => store.interactionCounts(ids)),
    interactions: new DataLoader(
      async (requests) => {
        const limit = Math.max(...requests.map((r) => r.first));
        const lists = await store.recentInteractions(
          requests.map((r) => r.userId),
          limit,
        );
        return lists.map((list, i) => list.slice(0, requests[i]!.first));
      },
      { cacheKeyFn: (r) => `${r.userId}\u0000${r.first}` },
    ),
  };
}
