/**
 * `npm run bench:profile`: where a request's CPU time goes on the API's main thread. Starts the
 * compiled server, keyed as `npm run bench`'s is (bench/bench-server.ts), under `node --cpu-prof`, drives it with the bench's
 * explained recommendations (or `{ __typename }`) at 64 connections, stops it, and prints the main thread's self time by
 * module and by function (idle time left out), writing them and the `.cpuprofile` to bench/results/.
 *
 * Options: --duration S (seconds under load, default 15), --connections N (default 64), --top N (rows, default 25),
 * --query explained|typename (default explained).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { byFunction, byModule, selfTimes, window, type CpuProfile } from './cpu-profile.js';
import { BENCH_HEADERS, startRecograph } from './bench-server.js';
import { workloadBodies } from './workload.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '64' },
    top: { type: 'string', default: '25' },
    query: { type: 'string', default: 'explained' },
  },
});
const ROOT = new URL('..', import.meta.url).pathname;
const BODIES = workloadBodies(args.query);

function load(url: string, seconds: number) {
  let next = 0;
  return autocannon({
    url,
    connections: Number(args.connections),
    duration: seconds,
    method: 'POST',
    headers: BENCH_HEADERS,
    requests: [{ setupRequest: (request) => ({ ...request, body: BODIES[next++ % BODIES.length]! }) }],
  });
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '--build', 'tsconfig.build.json'], { cwd: ROOT });
  const work = mkdtempSync(join(tmpdir(), 'recograph-profile-'));
  const profiles = join(work, 'profiles');
  const server = await startRecograph('recograph', join(work, 'data'), {}, { nodeOptions: ['--cpu-prof', '--cpu-prof-dir', profiles] });
  const { url } = server;
  await load(url, 3); // warm-up: compiled documents, JIT, store pages
  // The profile's clock is the machine's monotonic clock, as process.hrtime is: only samples taken under load count.
  const from = Number(process.hrtime.bigint() / 1000n);
  const result = await load(url, Number(args.duration));
  const to = Number(process.hrtime.bigint() / 1000n);
  await server.stop();

  // The largest profile is the main thread's (the inference worker writes its own, smaller one).
  const files = readdirSync(profiles).map((name) => join(profiles, name)).sort((a, b) => statSync(b).size - statSync(a).size);
  const whole = JSON.parse(readFileSync(files[0]!, 'utf8')) as CpuProfile;
  if (from < whole.startTime || to > whole.endTime) throw new Error(`the load window [${from}, ${to}] µs is outside the profile [${whole.startTime}, ${whole.endTime}]`);
  const profile = window(whole, from, to);
  const top = Number(args.top);
  const idle = ['(idle)'];
  const modules = selfTimes(profile, byModule, idle);
  const functions = selfTimes(profile, byFunction, ['(idle) (idle)']);
  const busyMs = modules.reduce((sum, m) => sum + m.ms, 0);
  const requests = result.requests.total;
  const table = (rows: typeof modules) =>
    rows.slice(0, top).map((r) => ({ name: r.name, 'self ms': Math.round(r.ms), 'share of busy': `${(r.share * 100).toFixed(1)} %`, 'µs/request': ((r.ms * 1000) / requests).toFixed(1) }));
  const idleMs = selfTimes(profile, byModule).find((m) => m.name === '(idle)')?.ms ?? 0;
  console.log(`${Math.round(result.requests.average)} req/s, ${requests} requests in ${args.duration} s under load; main thread busy ${Math.round(busyMs)} ms, idle ${Math.round(idleMs)} ms`);
  console.log('self time by module (main thread, idle excluded):');
  console.table(table(modules));
  console.log('self time by function:');
  console.table(table(functions));

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(ROOT, 'bench/results', `profile-${stamp}`);
  writeFileSync(`${out}.json`, `${JSON.stringify({ requestsPerSecond: result.requests.average, requests, durationSeconds: Number(args.duration), connections: Number(args.connections), busyMs, idleMs, modules: modules.slice(0, 60), functions: functions.slice(0, 100) }, null, 2)}\n`);
  copyFileSync(files[0]!, join(tmpdir(), `recograph-${stamp}.cpuprofile`));
  console.log(`written: ${out}.json (the raw profile: ${join(tmpdir(), `recograph-${stamp}.cpuprofile`)})`);
}

await main();
