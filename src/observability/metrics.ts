import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelInfo } from '../inference/index.js';
import type { RecommendationStage } from '../recommendations/index.js';

/** The stages whose durations `/metrics` reports: GraphQL's per request, the service's per batch. */
export type Stage = 'parse' | 'validate' | 'execute' | 'serialise' | RecommendationStage;

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** recograph's Prometheus metrics, in a registry of their own (so several servers can share a process). */
export class Metrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'recograph_graphql_request_duration_seconds',
    help: 'GraphQL request latency, from receipt to the response being ready, by operation type and root fields',
    labelNames: ['type', 'fields'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: 'recograph_stage_duration_seconds',
    help: 'Time spent in each stage: parse, validate, execute, serialise per request; store, tensors, onnx per recommendation batch; explain per explanation built',
    labelNames: ['stage'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly batchUsers = new Histogram({
    name: 'recograph_recommendation_batch_users',
    help: 'Users (recommendation requests) per batch sent to the store and the model',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly batchRequests = new Histogram({
    name: 'recograph_recommendation_batch_requests',
    help: 'GraphQL requests merged into one recommendation batch by cross-request batching',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'recograph_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly executions = new Counter({
    name: 'recograph_graphql_executions_total',
    help: 'GraphQL operations executed, by executor (compiled, graphql-js) and why one ran on graphql-js (mutation, subscription, introspection, trace, not-compilable, errors: a compiled answer with errors run again); not counted with GRAPHQL_EXECUTOR=graphql-js',
    labelNames: ['executor', 'reason'] as const,
    registers: [this.registry],
  });

  readonly model = new Gauge({
    name: 'recograph_model_info',
    help: 'The model being served (value 1), by version and execution provider',
    labelNames: ['version', 'execution_provider'] as const,
    registers: [this.registry],
  });

  readonly modelReloads = new Counter({
    name: 'recograph_model_reloads_total',
    help: 'Model reload attempts, by outcome (reloaded, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly erasures = new Counter({
    name: 'recograph_user_erasures_total',
    help: 'deleteUser calls, by outcome (erased, unknown_user)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly impressions = new Counter({
    name: 'recograph_recommendation_impressions_total',
    help: 'Items served in recommendation answers, by surface, experiment, variant and model version (the store keeps them durably; docs/feedback.md)',
    labelNames: ['surface', 'experiment', 'variant', 'model_version'] as const,
    registers: [this.registry],
  });

  readonly feedback = new Counter({
    name: 'recograph_recommendation_feedback_total',
    help: 'Interactions recorded with a recommendationId, by kind (click: any; conversion: PURCHASE or CHECK_IN), surface, experiment, variant and model version',
    labelNames: ['kind', 'surface', 'experiment', 'variant', 'model_version'] as const,
    registers: [this.registry],
  });

  readonly impressionsDropped = new Counter({
    name: 'recograph_recommendation_impressions_dropped_total',
    help: 'Answers whose impressions were not kept: the store could not take them and the buffer (IMPRESSIONS_BUFFER_MAX) was full',
    registers: [this.registry],
  });

  readonly resultCacheRequests = new Counter({
    name: 'recograph_result_cache_requests_total',
    help: 'Lookups of results kept between requests (RESULT_CACHE), by cache (popularity, similar_items) and outcome (hit, miss)',
    labelNames: ['cache', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process metrics, including event-loop delay percentiles (reset at every scrape).
    collectDefaultMetrics({ register: this.registry });
  }

  // Each stage's child once: observe({ stage }) would hash its labels on every call, several times a request.
  private readonly stages = new Map<Stage, Histogram.Internal<'stage'>>();

  observeStage(stage: Stage, seconds: number): void {
    let child = this.stages.get(stage);
    if (child === undefined) {
      child = this.stageDuration.labels(stage);
      this.stages.set(stage, child);
    }
    child.observe(seconds);
  }

  /** Marks `info` as serving, in place of `previous` (several models serve when an experiment's variants have their own). */
  servingModel(info: ModelInfo, previous: ModelInfo | null = null): void {
    if (previous) this.model.remove({ version: previous.version, execution_provider: previous.executionProvider });
    this.model.set({ version: info.version, execution_provider: info.executionProvider }, 1);
  }
}

/** Seconds since `start` (from `process.hrtime.bigint()`). */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
