export { Candidates, type RecommendationFilter } from './ranking/candidates.js';
export { POLICY_POOL, type BoostRule, type PinRule, type RankingPolicy } from './ranking/policy.js';
export { withoutInteractions } from './ignored-interactions.js';
export { INDUCTIVE_USERS, NewItems, type ContentVectors, type ItemKnowledge } from './new-items.js';
export {
  coverageWarning,
  RecommendationService,
  type CatalogueCoverage,
  type CatalogueFollower,
  type RecommendationRequest,
  type RecommendationResult,
  type RecommendationStage,
  type ResultCacheOptions,
  type StageTimer,
} from './recommendation-service.js';
export { ResultCache, type ResultCacheListener, type ResultCacheName } from './result-cache.js';
export { readSessionEvidence, sessionNeighbourhood, type SessionEvidence, type SessionItem } from './session-neighbourhood.js';
export {
  nearestRows,
  PERSONAL_WEIGHT,
  SHARED_USERS_SAMPLE,
  sharedUserCounts,
  SimilarItems,
  type NearRow,
  type RowQuery,
  type SimilarItemResult,
  type SimilarItemsRequest,
} from './similar-items.js';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';
export { SwappableRecommender, type Recommender } from './swappable-recommender.js';
export { CatalogueSync } from './catalogue-sync.js';
export { LIST_DEPTH, ListExpiredError, RankedLists, type ListPage, type ListPosition, type RankedListsOptions } from './ranked-lists.js';
