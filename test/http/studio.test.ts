import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';

/** What a browser gets at the endpoint: Apollo's landing page. */
async function landingPage(server: TestServer): Promise<string> {
  const response = await fetch(server.url, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  return response.text();
}

describe('Apollo Sandbox in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { NODE_ENV: 'development' });
  });
  afterAll(() => server?.close());

  it('serves the local Sandbox landing page and answers introspection', async () => {
    expect(await landingPage(server)).toContain('embeddable-sandbox.umd.production.min.js');
    const { data, errors } = await server.graphql(INTROSPECTION);
    expect(errors).toBeUndefined();
    expect(data.__schema.queryType.name).toBe('Query');
  });
});

describe('production', () => {
  let server: TestServer;
  let enabled: TestServer;
  beforeAll(async () => {
    [server, enabled] = await Promise.all([
      startTestServer({}, { NODE_ENV: 'production' }),
      startTestServer({}, { NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }),
    ]);
  });
  afterAll(() => Promise.all([server?.close(), enabled?.close()]));

  it('serves the production landing page, not Sandbox', async () => {
    const html = await landingPage(server);
    expect(html).toContain(encodeURIComponent('"isProd":true'));
    expect(html).not.toContain('embeddable-sandbox.umd.production.min.js');
  });

  it('refuses introspection unless GRAPHQL_INTROSPECTION enables it', async () => {
    const refused = await server.graphql(INTROSPECTION);
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await enabled.graphql(INTROSPECTION)).data.__schema.queryType.name).toBe('Query');
  });
});

describe('FEDERATION=off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { FEDERATION: 'off' });
  });
  afterAll(() => server?.close());

  it('serves the same API without the federation fields', async () => {
    const { data } = await server.graphql(`{
      __type(name: "Query") { fields { name } }
      user(id: "user-0001") { id recommendations(first: 1) { rank } }
    }`);
    const fields = data.__type.fields.map((f: { name: string }) => f.name);
    expect(fields).toContain('recommendations');
    expect(fields).not.toContain('_service');
    expect(fields).not.toContain('_entities');
    expect(data.user.recommendations).toEqual([{ rank: 1 }]);
  });
});
