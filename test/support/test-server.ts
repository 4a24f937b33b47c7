import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp, type App, type AppDecorators } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { StoreLeg } from './store-legs.js';

export interface GraphQLResponse<T = any> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  readonly app: App;
  readonly url: string;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** The server's origin, e.g. http://127.0.0.1:43210, for paths other than /graphql. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Starts the real server (embedded store seeded with the demo data, the bundled model) on a random
 * loopback port with its own data folder, for tests that speak HTTP to it. `env` adds or overrides settings.
 */
export async function startTestServer(decorate: AppDecorators = {}, env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'recograph-http-')),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await startApp(config, pino({ level: config.logLevel }), decorate);
  return {
    app,
    url: app.url,
    origin: new URL(app.url).origin,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    close: () => app.close(),
  };
}

/** `startTestServer` on one store leg: the leg's store, seeded with the demo data when empty. */
export function startTestServerOn(leg: StoreLeg, decorate: AppDecorators = {}, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer(decorate, { ...leg.env(mkdtempSync(join(tmpdir(), 'recograph-http-'))), ...env });
}
