export { CandidateMasks, type RecommendationFilter } from './candidates.js';
export { withoutInteractions } from './ignored-interactions.js';
export {
  RecommendationService,
  type RecommendationRequest,
  type RecommendationResult,
} from './recommendation-service.js';
