/**
 * Servers the load benchmarks start: recograph compiled, configured with an API key as production
 * is, so that `/metrics` and the recommendations ask for it, as they would there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './workload.js';

/** The reader key recograph is started with; every request of the bench sends it. */
export const BENCH_READER_KEY = 'bench-reader-key-of-recograph';
export const BENCH_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  authorization: `Bearer ${BENCH_READER_KEY}`,
};

const ROOT = new URL('..', import.meta.url).pathname;

export interface Server {
  readonly name: string;
  readonly url: string;
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

export async function post(url: string, body: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: BENCH_HEADERS, body });
  return response.json();
}

export function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
}

export interface Launch {
  /** The compiled entry point (default `dist/main.js`), e.g. another tree's for an A/B run. */
  readonly main?: string;
  /** Node options before it, e.g. `--cpu-prof`. */
  readonly nodeOptions?: readonly string[];
}

/** recograph itself, compiled (dist/main.js), with `env` on top of the bench defaults. */
export async function startRecograph(name: string, dataDir: string, env: Record<string, string> = {}, launch: Launch = {}): Promise<Server & { readonly child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(launch.nodeOptions ?? []), launch.main ?? 'dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      API_KEYS: `${BENCH_READER_KEY}:reader`,
      // Production with credentials asks for one; the bench erases nothing.
      ERASURE_SECRET: 'bench-erasure-secret-of-recograph-32+',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Headline rows measure the real work: no answer comes from the result cache (one row turns it on).
      RESULT_CACHE: 'false',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start`);
    try {
      const answer = await post(url, JSON.stringify({ query: '{ __typename }' }));
      if (answer.errors) throw Object.assign(new Error(`${name}: ${JSON.stringify(answer.errors)}`), { fatal: true });
      if (answer.data) break;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
      if (attempt > 600) throw new Error(`${name} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { name, url, metricsUrl: new URL('/metrics', url).href, stop: stopper(child), child };
}
