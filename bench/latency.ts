/**
 * `npm run bench:latency -- --rate R`: latency at a fixed arrival rate, alone. Requests arrive
 * open-loop (bench/open-loop.ts) at R per second whatever the answers do; p50, p90, p99 and max
 * count from each request's scheduled start. Without `--url` it starts the compiled recograph
 * (`npm run build` first) as `npm run bench` does, with the bench's reader key. Issue 19's figure
 * takes R as half the 64-connection throughput of `npm run bench` (which runs this itself).
 * Writes bench/results/latency-<time>.json.
 *
 * Options: --rate R (required), --duration S (default 10), --warmup S (default 2, at the same rate),
 * --url U (a running server; --key K its reader key, '' for none), --query explained|typename
 * (default explained), --arrivals poisson|constant (default poisson), --connections N (default 512).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_READER_KEY, startRecograph } from './bench-server.js';
import { runOpenLoop, summaryLine, type Arrivals } from './open-loop.js';
import { workloadBodies } from './workload.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    url: { type: 'string' },
    key: { type: 'string', default: BENCH_READER_KEY },
    query: { type: 'string', default: 'explained' },
    arrivals: { type: 'string', default: 'poisson' },
    connections: { type: 'string', default: '512' },
  },
});
const bodies = args.query === 'explained' || args.query === 'typename' ? workloadBodies(args.query) : undefined;
const rate = Number(args.rate);
if (!bodies || !(rate > 0) || (args.arrivals !== 'poisson' && args.arrivals !== 'constant')) {
  console.error('usage: npm run bench:latency -- --rate R [--duration S] [--warmup S] [--url U --key K] [--query explained|typename] [--arrivals poisson|constant] [--connections N]');
  process.exit(2);
}
const ROOT = new URL('..', import.meta.url).pathname;

const started = new Date();
const loadAverageAtStart = loadavg();
const server = args.url === undefined ? await startRecograph('recograph', mkdtempSync(join(tmpdir(), 'recograph-latency-'))) : null;
try {
  const headers: Record<string, string> = args.key === '' ? {} : { authorization: `Bearer ${args.key}` };
  const options = {
    url: server?.url ?? args.url!,
    bodies,
    headers,
    rate,
    arrivals: args.arrivals as Arrivals,
    connections: Number(args.connections),
  };
  const report = await runOpenLoop({ ...options, seconds: Number(args.duration), warmupSeconds: Number(args.warmup) });
  console.log(`${args.query}, open loop: ${summaryLine(report)}`);
  const result = {
    startedAt: started.toISOString(),
    query: args.query,
    server: args.url ?? 'recograph (compiled, started by the bench)',
    durationSeconds: Number(args.duration),
    warmupSeconds: Number(args.warmup),
    connections: options.connections,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart, loadAverageAtEnd: loadavg(), node: process.version },
    report,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `latency-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${file}`);
} finally {
  await server?.stop();
}
