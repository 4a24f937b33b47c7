import type { RankingPolicy, RecommendationRequest, Recommender, SimilarItemsRequest } from '../recommendations/index.js';
import type { ModelInfo } from '../inference/index.js';
import type { AnswerLabels, ExperimentSummary } from '../feedback/index.js';
import type { RecommendationSurface } from '../graph/index.js';
import { variantIndex } from './assignment.js';

/** A variant as it serves: its recommender (its own model, or the API's) and its default ranking policy. */
export interface Variant {
  readonly name: string;
  readonly share: number;
  readonly recommender: Recommender;
  /** Applied to requests that give no ranking policy of their own; null for plain relevance. */
  readonly policy: RankingPolicy | null;
}

/**
 * The A/B experiment being run, or none: which variant serves a user, and a recommender that sends
 * each request to its variant's. Requests of one variant stay together, so each variant's batches
 * still make one store call and one model run; variants never share a batch or a model.
 */
export class Experiments {
  /** Ranks every request with its variant's recommender (`request.variant`; the API's own without one). */
  readonly router: Recommender;

  private constructor(
    readonly name: string | null,
    private readonly variants: readonly Variant[],
    private readonly fallback: Recommender,
  ) {
    this.router = {
      recommend: (requests) => this.routed(requests, (r) => r.variant, (recommender, part) => recommender.recommend(part)),
      similarItems: (requests) => this.routed(requests, (r) => r.variant, (recommender, part) => recommender.similarItems(part)),
      get modelInfo() {
        return fallback.modelInfo;
      },
    };
  }

  /** No experiment: every request is served by `recommender`. */
  static none(recommender: Recommender): Experiments {
    return new Experiments(null, [], recommender);
  }

  static of(name: string, variants: readonly Variant[], fallback: Recommender): Experiments {
    return new Experiments(name, variants, fallback);
  }

  /**
   * The variant serving `userId`: sticky by a hash of the user's id. A visit without a user has no
   * id to stick to and is served by the control (the first variant).
   */
  variantOf(userId: string | null): Variant | null {
    if (this.name === null) return null;
    if (userId === null) return this.variants[0]!;
    return this.variants[variantIndex(this.name, this.variants.map((v) => v.share), userId)]!;
  }

  /** The request as its variant serves it: named, and with the variant's policy when it gives none. */
  assign(request: RecommendationRequest): RecommendationRequest {
    const variant = this.variantOf(request.userId);
    if (variant === null) return request;
    return { ...request, variant: variant.name, policy: request.policy ?? variant.policy };
  }

  assignSimilar(request: SimilarItemsRequest): SimilarItemsRequest {
    const variant = this.variantOf(request.userId ?? null);
    return variant === null ? request : { ...request, variant: variant.name };
  }

  /** The model serving a variant now (the API's own for none). */
  modelInfoOf(variant: string | null | undefined): ModelInfo {
    return this.recommenderOf(variant).modelInfo;
  }

  /** What an answer of `variant` on `surface` is served under: its impressions' and feedback's labels. */
  labelsOf(surface: RecommendationSurface, variant: string | null | undefined): AnswerLabels {
    return { surface, experiment: variant ? this.name : null, variant: variant ?? null, modelVersion: this.modelInfoOf(variant).version };
  }

  summary(): ExperimentSummary | null {
    if (this.name === null) return null;
    return {
      name: this.name,
      variants: this.variants.map((v) => ({ name: v.name, share: v.share, modelVersion: v.recommender.modelInfo.version, hasRankingPolicy: v.policy !== null })),
    };
  }

  /** The variant names, for labels that must stay a known set. */
  variantNames(): readonly string[] {
    return this.variants.map((v) => v.name);
  }

  private recommenderOf(variant: string | null | undefined): Recommender {
    return this.variants.find((v) => v.name === variant)?.recommender ?? this.fallback;
  }

  /** Splits `requests` by variant, ranks each part with its recommender, and answers in the given order. */
  private async routed<Q, A>(
    requests: readonly Q[],
    variantOf: (request: Q) => string | null | undefined,
    rank: (recommender: Recommender, part: readonly Q[]) => Promise<A[]>,
  ): Promise<A[]> {
    const parts = new Map<Recommender, number[]>();
    requests.forEach((request, index) => {
      const recommender = this.recommenderOf(variantOf(request));
      const part = parts.get(recommender);
      if (part) part.push(index);
      else parts.set(recommender, [index]);
    });
    const answers: A[] = new Array(requests.length);
    await Promise.all(
      [...parts].map(async ([recommender, indexes]) => {
        const ranked = await rank(
          recommender,
          indexes.map((i) => requests[i]!),
        );
        indexes.forEach((i, k) => (answers[i] = ranked[k]!));
      }),
    );
    return answers;
  }
}
