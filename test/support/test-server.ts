import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp, type App, type AppDecorators } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

export interface GraphQLResponse<T = any> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  readonly app: App;
  readonly url: string;
  graphql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
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
    async graphql(query, variables) {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    close: () => app.close(),
  };
}
