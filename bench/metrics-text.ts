/** Reads the few samples the benchmark needs from recograph's Prometheus text output. */
export interface MetricsSnapshot {
  /** GraphQL requests answered (all operations). */
  readonly requests: number;
  readonly stageSums: Readonly<Record<string, number>>;
  readonly batchCount: number;
  readonly batchUsersSum: number;
  /** Event-loop delay p99 since the previous scrape (prom-client resets it on every scrape). */
  readonly eventLoopP99Seconds: number;
  /** Result-cache lookups (`RESULT_CACHE`), every cache together. */
  readonly resultCacheHits: number;
  readonly resultCacheMisses: number;
}

export function parseMetrics(text: string): MetricsSnapshot {
  let requests = 0;
  let batchCount = 0;
  let batchUsersSum = 0;
  let eventLoopP99Seconds = 0;
  let resultCacheHits = 0;
  let resultCacheMisses = 0;
  const stageSums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('recograph_graphql_request_duration_seconds_count')) requests += value;
    else if (line.startsWith('recograph_recommendation_batch_users_count')) batchCount = value;
    else if (line.startsWith('recograph_recommendation_batch_users_sum')) batchUsersSum = value;
    else if (line.startsWith('nodejs_eventloop_lag_p99_seconds ')) eventLoopP99Seconds = value;
    else if (line.startsWith('recograph_result_cache_requests_total{')) {
      if (line.includes('outcome="hit"')) resultCacheHits += value;
      else resultCacheMisses += value;
    }
    else if (line.startsWith('recograph_stage_duration_seconds_sum')) {
      const stage = /stage="([^"]+)"/.exec(line)?.[1];
      if (stage) stageSums[stage] = value;
    }
  }
  return { requests, stageSums, batchCount, batchUsersSum, eventLoopP99Seconds, resultCacheHits, resultCacheMisses };
}

/** Time per request in each stage between two snapshots, in `unit`s per second (1000: ms). */
export function stageSeconds(before: MetricsSnapshot, after: MetricsSnapshot, requests: number, unit: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after.stageSums).map(([stage, sum]) => [
      stage,
      Number((((sum - (before.stageSums[stage] ?? 0)) / requests) * unit).toFixed(3)),
    ]),
  );
}
