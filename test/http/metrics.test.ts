import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The value of one sample line of the Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('Prometheus metrics at /metrics', () => {
  let server: TestServer;
  let text: string;
  beforeAll(async () => {
    server = await startTestServer();
    await server.graphql(`{ recommendations(userId: "user-0001", first: 3) { score item { title } explanation { summary } } }`);
    await server.graphql(`{ recommendations(userId: "user-0001", first: 0) { score } }`);
    await server.graphql(`{ recommendations(userId: `);
    const response = await fetch(server.app.metricsUrl);
    expect(response.headers.get('content-type')).toContain('text/plain');
    text = await response.text();
  });
  afterAll(() => server?.close());

  it('reports request latency per operation type and root fields', () => {
    expect(sample(text, 'recograph_graphql_request_duration_seconds_count', { type: 'query', fields: 'recommendations' })).toBe(2);
  });

  it('reports the time of every stage of a recommendation request', () => {
    for (const stage of ['parse', 'validate', 'execute', 'serialise', 'store', 'tensors', 'onnx', 'explain']) {
      expect(sample(text, 'recograph_stage_duration_seconds_count', { stage }), stage).toBeGreaterThan(0);
    }
  });

  it('reports batch sizes', () => {
    expect(sample(text, 'recograph_recommendation_batch_users_count')).toBeGreaterThan(0);
    expect(sample(text, 'recograph_recommendation_batch_requests_count')).toBeGreaterThan(0);
  });

  it('counts errors by code', () => {
    expect(sample(text, 'recograph_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(text, 'recograph_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
  });

  it('names the model version being served', () => {
    const version = server.app.model.info.version;
    expect(sample(text, 'recograph_model_info', { version, execution_provider: 'cpu' })).toBe(1);
  });

  it('includes process metrics with event-loop delay percentiles', () => {
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('who may scrape /metrics', () => {
  const READER = 'reader-key-0123456789';

  it('needs a key when served beside GraphQL with keys configured', async () => {
    const server = await startTestServer({}, { API_KEYS: `${READER}:reader` });
    try {
      expect(server.app.metricsUrl).toBe(`${server.origin}/metrics`);
      const anonymous = await fetch(server.app.metricsUrl);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toContain('recograph_');
      const reader = await fetch(server.app.metricsUrl, { headers: { authorization: `Bearer ${READER}` } });
      expect(reader.status).toBe(200);
      expect(await reader.text()).toContain('recograph_graphql_errors_total');
    } finally {
      await server.close();
    }
  });

  it('is served on METRICS_PORT alone when that is set, without a key', async () => {
    const server = await startTestServer({}, { API_KEYS: `${READER}:reader`, METRICS_PORT: '0' });
    try {
      expect(new URL(server.app.metricsUrl).port).not.toBe(new URL(server.origin).port);
      expect((await fetch(server.app.metricsUrl)).status).toBe(200);
      expect((await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${READER}` } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
