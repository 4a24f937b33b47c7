import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A raw TCP connection to the server, resolved once connected. */
function open(origin: string): Promise<Socket> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sent before it closed the connection. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(received));
  });
}

describe('HTTP hardening', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { HTTP_HEADERS_TIMEOUT_MS: '300', MAX_CONNECTIONS: '3' });
  });
  afterAll(() => server?.close());

  it('does not say what it runs on (no X-Powered-By)', async () => {
    for (const path of ['/graphql?query=%7B__typename%7D', '/healthz', '/nowhere']) {
      const response = await fetch(`${server.origin}${path}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT_MS', async () => {
    const socket = await open(server.origin);
    const closed = untilClosed(socket);
    socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes connections beyond MAX_CONNECTIONS at once', async () => {
    const held = await Promise.all([open(server.origin), open(server.origin), open(server.origin)]);
    const extra = await open(server.origin);
    const closed = untilClosed(extra);
    extra.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await closed).toBe('');
    for (const socket of held) socket.destroy();
  });

  it('answers an APQ hash that does not match its query with a client error code', async () => {
    const query = '{ model { version } }';
    const body = (sha256Hash: string) => JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    const wrong = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('0'.repeat(64)) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { errors: unknown }).errors).toEqual([
      { message: 'The persisted query hash does not match the query text.', extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } },
    ]);
    const right = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(createHash('sha256').update(query).digest('hex')),
    });
    expect(right.status).toBe(200);
  });
});
