import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

describe('structured request logs', () => {
  const lines: Record<string, any>[] = [];
  let app: App;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'recograph-log-')) });
    app = await startApp(config, pino({ level: 'info' }, sink));
  });
  afterAll(() => app?.close());

  const post = (headers: Record<string, string> = {}) =>
    fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ model { version } }' }),
    });

  it('logs each request as JSON with the client’s request id, echoed in the response', async () => {
    const response = await post({ 'x-request-id': 'trace-abc.123' });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    await response.text();
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.find((l) => l.req?.id === 'trace-abc.123');
    expect(logged).toMatchObject({ level: 30, req: { method: 'POST', url: '/graphql' }, res: { statusCode: 200 } });
    expect(logged!.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(logged)).not.toContain('model { version }');
  });

  it('leaves GET query strings, which carry operations and user ids, out of the logs', async () => {
    const params = new URLSearchParams({ query: '{ user(id: "user-0042") { id } }' });
    const response = await fetch(`${app.url}?${params}`, { headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'get-request' } });
    await response.text();
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.find((l) => l.req?.id === 'get-request');
    expect(logged).toMatchObject({ req: { method: 'GET', url: '/graphql' } });
    expect(JSON.stringify(lines)).not.toContain('user-0042');
  });

  it('makes up a request id when the client sends none or an unsafe one', async () => {
    for (const headers of [{}, { 'x-request-id': 'bad id\twith spaces' }] as Record<string, string>[]) {
      const response = await post(headers);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await response.text();
    }
  });
});
