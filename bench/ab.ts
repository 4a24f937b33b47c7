/**
 * `npm run bench:ab`: one change measured as a ratio in one run. Starts the compiled server twice,
 * A and B, differing in Node options, environment or compiled tree, and drives each with the
 * bench's explained recommendations at 64 connections, alternating A, B, A, B … so both see the
 * same machine load; prints req/s per round and B ÷ A. Both run keyed as `npm run bench`'s server
 * does (bench/bench-server.ts), and the load sends the bench's reader key.
 *
 *   npm run bench:ab -- --b-node-options=--max-semi-space-size=32
 *   npm run bench:ab -- --b-env RECOMMENDATION_BATCHING=false
 *   npm run bench:ab -- --b-env API_KEYS= --b-env ERASURE_SECRET=     # B open: what the key check costs
 *   mkdir -p .cache/a && cp -r dist schema.graphql .cache/a/ && (change, npm run build) && npm run bench:ab -- --a-main .cache/a/dist/main.js
 *
 * Options: --a-main / --b-main (default dist/main.js), --a-node-options / --b-node-options,
 * --a-env / --b-env (KEY=VALUE, repeatable), --rounds N (default 3), --duration S (default 8),
 * --warmup S (default 2), --connections N (default 64), --query explained|typename (default explained).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_HEADERS, post, startRecograph, type Server } from './bench-server.js';
import { workloadBodies } from './workload.js';

const { values: args } = parseArgs({
  options: {
    'a-main': { type: 'string', default: 'dist/main.js' },
    'b-main': { type: 'string', default: 'dist/main.js' },
    'a-node-options': { type: 'string', default: '' },
    'b-node-options': { type: 'string', default: '' },
    'a-env': { type: 'string', multiple: true, default: [] },
    'b-env': { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    query: { type: 'string', default: 'explained' },
  },
});
const ROOT = new URL('..', import.meta.url).pathname;
const BODIES = workloadBodies(args.query);

interface Variant extends Server {
  readonly label: 'A' | 'B';
}

async function start(label: 'A' | 'B', dataDir: string): Promise<Variant> {
  const side = label.toLowerCase() as 'a' | 'b';
  const env = Object.fromEntries(args[`${side}-env`]!.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  const server = await startRecograph(label, dataDir, env, { main: args[`${side}-main`]!, nodeOptions: args[`${side}-node-options`]!.split(' ').filter(Boolean) });
  const answer = await post(server.url, BODIES[0]!);
  if (answer.errors) {
    await server.stop();
    throw new Error(`${label}: ${JSON.stringify(answer.errors)}`);
  }
  return { ...server, label };
}

async function load(url: string, seconds: number): Promise<number> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: Number(args.connections),
    duration: seconds,
    method: 'POST',
    headers: BENCH_HEADERS,
    requests: [{ setupRequest: (request) => ({ ...request, body: BODIES[next++ % BODIES.length]! }) }],
  });
  if (result.errors + result.non2xx + result.timeouts > 0) throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  return result.requests.average;
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '--build', 'tsconfig.build.json'], { cwd: ROOT });
  const dataDir = mkdtempSync(join(tmpdir(), 'recograph-ab-'));
  // A seeds the store first; B then starts on it.
  const a = await start('A', dataDir);
  const b = await start('B', dataDir);
  const rates: Record<'A' | 'B', number[]> = { A: [], B: [] };
  try {
    for (const variant of [a, b]) await load(variant.url, Number(args.warmup));
    for (let round = 1; round <= Number(args.rounds); round++) {
      // Alternate which goes first, so a load trend on the machine does not favour one side.
      for (const variant of round % 2 === 1 ? [a, b] : [b, a]) {
        const rate = await load(variant.url, Number(args.duration));
        rates[variant.label].push(rate);
        console.error(`  round ${round} ${variant.label}: ${rate.toFixed(0)} req/s`);
      }
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ratios = rates.B.map((rate, i) => rate / rates.A[i]!);
  console.log(
    JSON.stringify(
      { a: { main: args['a-main'], nodeOptions: args['a-node-options'], env: args['a-env'], reqPerSec: rates.A.map(Math.round) },
        b: { main: args['b-main'], nodeOptions: args['b-node-options'], env: args['b-env'], reqPerSec: rates.B.map(Math.round) },
        bOverA: Number((mean(rates.B) / mean(rates.A)).toFixed(3)), bOverAPerRound: ratios.map((r) => Number(r.toFixed(3))) },
      null,
      2,
    ),
  );
}

await main();
