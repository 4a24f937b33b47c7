import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('HTTP request guards', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { MAX_REQUEST_BYTES: '4096', SEED_DEMO_DATA: 'false' });
  });
  afterAll(() => server?.close());

  const post = (body: string, contentType: string | null = 'application/json') =>
    fetch(server.url, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });

  const expectError = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe(code);
    expect(body.errors[0]!.message).not.toMatch(/at \w+ \(|node_modules|\/src\//);
  };

  it('answers malformed JSON with 400 BAD_REQUEST and no stack trace', async () => {
    await expectError(await post('{"query": "{ model { version } }"'), 400, 'BAD_REQUEST');
    await expectError(await post('"just a string"'), 400, 'BAD_REQUEST');
  });

  it('answers non-JSON content types with 415', async () => {
    await expectError(await post('query={model{version}}', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(await post('{ model { version } }', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(await post('{}', null), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(await post('{"query": "{ model { version } }"}', 'application/json; charset=latin1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers bodies over MAX_REQUEST_BYTES with 413', async () => {
    const query = `{ model { version } } # ${'x'.repeat(5000)}`;
    await expectError(await post(JSON.stringify({ query })), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses batched (array) requests', async () => {
    const response = await post(JSON.stringify([{ query: '{ model { version } }' }, { query: '{ model { version } }' }]));
    await expectError(response, 400, 'BAD_REQUEST');
  });

  it('keeps CSRF prevention on: a GET without a preflight header is refused', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{ model { version } }')}`;
    expect((await fetch(url)).status).toBe(400);
    const preflighted = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
  });

  it('answers a request without a query with a coded 400', async () => {
    await expectError(await post(JSON.stringify({ variables: {} })), 400, 'BAD_REQUEST');
  });
});
