import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RECOMMEND = `query R($u: ID!) { recommendations(userId: $u, first: 5) { item { id } explanation { modelVersion } } }`;

/** Rewrites model.json the way a deployment should: write aside, then rename into place. */
function setVersion(dir: string, version: string): void {
  const path = join(dir, 'model.json');
  const metadata = JSON.parse(readFileSync(path, 'utf8'));
  metadata.version = version;
  writeFileSync(`${path}.tmp`, JSON.stringify(metadata));
  renameSync(`${path}.tmp`, path);
}

describe('model hot reload', () => {
  let server: TestServer;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = mkdtempSync(join(tmpdir(), 'recograph-reload-'));
    cpSync('models/demo', modelDir, { recursive: true });
    server = await startTestServer({}, { MODEL_DIR: modelDir });
  });
  afterAll(() => server?.close());

  it('swaps in a new model version without dropping a request', async () => {
    const before = server.app.model.info.version;
    setVersion(modelDir, 'reloaded-1');
    const users = Array.from({ length: 40 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
    const requests = users.map((u) => server.graphql(RECOMMEND, { u }));
    const outcome = await server.app.reloadModel();
    const responses = await Promise.all([...requests, ...users.map((u) => server.graphql(RECOMMEND, { u }))]);

    expect(outcome).toEqual({ outcome: 'reloaded', version: 'reloaded-1', previousVersion: before });
    for (const response of responses) {
      expect(response.errors).toBeUndefined();
      expect(response.data.recommendations).toHaveLength(5);
    }
    const { data } = await server.graphql(`{ model { version } }`);
    expect(data.model.version).toBe('reloaded-1');
    const after = await server.graphql(RECOMMEND, { u: 'user-0001' });
    expect(after.data.recommendations[0].explanation.modelVersion).toBe('reloaded-1');
  });

  it('refuses a model that fails validation and keeps serving the current one', async () => {
    const { graph } = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { graph: { file: string } };
    writeFileSync(join(modelDir, graph.file), Buffer.from('half-copied model'));
    const outcome = await server.app.reloadModel();
    expect(outcome).toMatchObject({ outcome: 'refused', version: 'reloaded-1', reason: expect.stringMatching(/does not belong/) });

    const { data, errors } = await server.graphql(RECOMMEND, { u: 'user-0002' });
    expect(errors).toBeUndefined();
    expect(data.recommendations[0].explanation.modelVersion).toBe('reloaded-1');
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics).toMatch(/recograph_model_reloads_total\{outcome="refused"\} 1/);
    expect(metrics).toMatch(/recograph_model_info\{version="reloaded-1",execution_provider="cpu"\} 1/);
  });
});
