import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEVELOPMENT_ERASURE_SECRET } from '../src/graph/index.js';

describe('configuration', () => {
  it('has working defaults: port 4000, embedded store, demo model, CPU', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, graphStore: 'embedded', executionProvider: 'cpu', seedDemoData: true });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.modelDir).toMatch(/\/models\/demo$/);
  });

  it('stops the start with a message naming the wrong variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ EXECUTION_PROVIDER: 'tpu' })).toThrow(/EXECUTION_PROVIDER/);
    expect(() => loadConfig({ SEED_DEMO_DATA: 'maybe' })).toThrow(/SEED_DEMO_DATA/);
    expect(() => loadConfig({ RECOMMENDATION_BATCH_MAX_SIZE: '0' })).toThrow(/RECOMMENDATION_BATCH_MAX_SIZE/);
    expect(() => loadConfig({ RECOMMENDATION_BATCH_MAX_WAIT_MS: '-1' })).toThrow(/RECOMMENDATION_BATCH_MAX_WAIT_MS/);
    expect(() => loadConfig({ INFERENCE_WORKERS: 'two' })).toThrow(/INFERENCE_WORKERS/);
    expect(() => loadConfig({ INFERENCE_SPLIT_MIN_ROWS: '-1' })).toThrow(/INFERENCE_SPLIT_MIN_ROWS/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '1.5' })).toThrow(/SHUTDOWN_GRACE_MS/);
    expect(() => loadConfig({ EMBEDDED_BUSY_TIMEOUT_MS: '-1' })).toThrow(/EMBEDDED_BUSY_TIMEOUT_MS/);
  });

  it('takes an erasure secret of 32+ characters, a public development one when unset, and requires one in production with credentials', () => {
    expect(loadConfig({}).erasureSecret).toBe(DEVELOPMENT_ERASURE_SECRET);
    expect(loadConfig({ ERASURE_SECRET: 's'.repeat(32) }).erasureSecret).toBe('s'.repeat(32));
    expect(() => loadConfig({ ERASURE_SECRET: 'too-short' })).toThrow(/ERASURE_SECRET: must be at least 32 characters/);
    expect(loadConfig({ ERASURE_SECRET: '' }).erasureSecret).toBe(DEVELOPMENT_ERASURE_SECRET);
    // Production with credentials must not hash erased ids under the public development key.
    const API_KEYS = 'reader-key-0123456789:reader';
    expect(() => loadConfig({ NODE_ENV: 'production', API_KEYS })).toThrow(/ERASURE_SECRET: production with credentials/);
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS, ERASURE_SECRET: 's'.repeat(32) }).erasureSecret).toBe('s'.repeat(32));
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_OPEN_MUTATIONS: 'true' }).erasureSecret).toBe(DEVELOPMENT_ERASURE_SECRET);
  });

  it('batches across requests and runs the model on two worker threads, splitting big runs, by default', () => {
    expect(loadConfig({})).toMatchObject({
      batching: { enabled: true, maxSize: 256, maxWaitMs: 2 },
      inferenceWorkers: 2,
      inferenceSplitMinRows: 8,
      shutdownGraceMs: 10_000,
    });
    expect(loadConfig({ RECOMMENDATION_BATCHING: 'false', INFERENCE_WORKERS: '0' })).toMatchObject({
      batching: { enabled: false },
      inferenceWorkers: 0,
    });
  });

  it('turns introspection off in production unless enabled, and takes Apollo credentials only in pairs', () => {
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_OPEN_MUTATIONS: 'true' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_OPEN_MUTATIONS: 'true', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({}).apollo).toBeNull();
    expect(loadConfig({ APOLLO_KEY: 'service:g:k', APOLLO_GRAPH_REF: 'g@prod' }).apollo).toEqual({ key: 'service:g:k', graphRef: 'g@prod' });
    expect(() => loadConfig({ APOLLO_KEY: 'service:g:k' })).toThrow(/APOLLO_KEY.*APOLLO_GRAPH_REF/);
    expect(() => loadConfig({ APOLLO_KEY: 'service:g:k', APOLLO_GRAPH_REF: 'g@prod@x' })).toThrow(/APOLLO_GRAPH_REF/);
    expect(() => loadConfig({ FEDERATION: 'v1' })).toThrow(/FEDERATION/);
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION/);
  });

  it('runs queries compiled unless told otherwise or reporting to Studio, which refuses the compiled executor', () => {
    const studio = { FEDERATION: 'off', APOLLO_KEY: 'service:g:k', APOLLO_GRAPH_REF: 'g@prod' };
    expect(loadConfig({}).executor).toBe('compiled');
    expect(loadConfig({ GRAPHQL_EXECUTOR: 'graphql-js' }).executor).toBe('graphql-js');
    expect(loadConfig(studio).executor).toBe('graphql-js');
    expect(loadConfig({ APOLLO_KEY: 'service:g:k', APOLLO_GRAPH_REF: 'g@prod' }).executor).toBe('compiled');
    expect(() => loadConfig({ ...studio, GRAPHQL_EXECUTOR: 'compiled' })).toThrow(/GRAPHQL_EXECUTOR/);
    expect(() => loadConfig({ GRAPHQL_EXECUTOR: 'jit' })).toThrow(/GRAPHQL_EXECUTOR/);
  });

  it('bounds connections, timeouts, concurrency, answers and worker heaps by default, each settable', () => {
    expect(loadConfig({})).toMatchObject({
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 },
      maxConcurrentRequests: 32,
      maxResponseBytes: 8 * 1_048_576,
      inferenceWorkerHeapMib: 256,
      includeStacktrace: false,
      metricsPort: null,
    });
    expect(loadConfig({ MAX_CONCURRENT_REQUESTS: '4', METRICS_PORT: '9464', INCLUDE_STACKTRACE: 'true' })).toMatchObject({
      maxConcurrentRequests: 4,
      metricsPort: 9464,
      includeStacktrace: true,
    });
    expect(() => loadConfig({ MAX_CONCURRENT_REQUESTS: '0' })).toThrow(/MAX_CONCURRENT_REQUESTS/);
    expect(() => loadConfig({ INFERENCE_WORKER_HEAP_MIB: '8' })).toThrow(/INFERENCE_WORKER_HEAP_MIB/);
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
  });

  it('selects Neo4j with its connection settings, and requires a password for it', () => {
    const config = loadConfig({ GRAPH_STORE: 'neo4j', NEO4J_URI: 'bolt://db:7687', NEO4J_PASSWORD: 'secret' });
    expect(config.graphStore).toBe('neo4j');
    expect(config.neo4j).toMatchObject({ uri: 'bolt://db:7687', user: 'neo4j', password: 'secret', database: 'neo4j' });
    expect(() => loadConfig({ GRAPH_STORE: 'neo4j' })).toThrow(/NEO4J_PASSWORD/);
    expect(() => loadConfig({ GRAPH_STORE: 'neo4j', NEO4J_PASSWORD: 'x', NEO4J_URI: 'http://db' })).toThrow(/NEO4J_URI/);
  });
});
