/**
 * Soak test: holds a real server process (loopback only) at high concurrency while recording
 * interactions, reading recommendations, running the heaviest queries the limits admit and sending
 * fragment fan-outs they refuse; then checks errors, the memory trend and bound, and that every
 * acknowledged write is present. Usage:
 *   npm run soak -- [--seconds 60] [--readers 32] [--writers 8] [--heavy 4] [--abusive 2]
 *                   [--max-rss-slope 60] [--max-rss-mib 1024] [--heap-mib 128]
 * Prints a JSON summary and exits 1 on any failed request (or a fan-out not refused), a missing
 * write, resident memory above --max-rss-mib, or still growing faster than --max-rss-slope MiB/min
 * after warm-up. docs/reliability.md has figures.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { killHard, startServerProcess } from '../test/support/server-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    readers: { type: 'string', default: '32' },
    writers: { type: 'string', default: '8' },
    heavy: { type: 'string', default: '4' },
    abusive: { type: 'string', default: '2' },
    'max-rss-slope': { type: 'string', default: '60' },
    'max-rss-mib': { type: 'string', default: '1024' },
    'heap-mib': { type: 'string', default: '128' },
  },
});
const seconds = Number(values.seconds);

const RECOMMEND = '{"query":"query ($u: ID!) { recommendations(userId: $u, first: 10) { rank score item { id } explanation { kind summary } } }","variables":{"u":"USER"}}';
// The largest answer the default cost limit admits: 100 recommendations, every contribution and its evidence.
const HEAVY =
  '{"query":"query ($u: ID!) { recommendations(userId: $u, first: 100) { rank item { id title } explanation { summary contributions(first: 50) { weight share item { id } evidence(first: 50) { weight share } } } } }","variables":{"u":"USER"}}';
// finding 1 of issue 16: a fragment fan-out whose cost cannot be estimated; it must be refused (400).
const FAN_OUT = JSON.stringify({
  query: [
    'query { ...E users(first: 30) { nodes { id recommendations(first: 100) { explanation { contributions(first: 50) { evidence(first: 50) { weight } } } } } } }',
    'fragment A on Query { model { version } }',
    ...[['B', 'A'], ['C', 'B'], ['D', 'C'], ['E', 'D']].map(([name, spread]) => `fragment ${name} on Query { ${`...${spread} `.repeat(10)}}`),
  ].join(' '),
});
const RECORD =
  'mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }';

// A tight old-space cap (about 5× the ~26 MiB the heap holds after a full GC under this load) makes
// V8 collect eagerly, so resident memory shows a trend within a minute, and a leak would exhaust
// the heap and fail requests instead of hiding in lazy collection.
const server = await startServerProcess({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'recograph-soak-')),
  NODE_OPTIONS: `--max-old-space-size=${values['heap-mib']}`,
});
const pid = server.child.pid!;
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const memory: { t: number; rssMiB: number }[] = [];
const started = Date.now();
const sampler = setInterval(() => memory.push({ t: (Date.now() - started) / 1000, rssMiB: rssMiB() }), 1000);

let sequence = 0;
const acknowledged: { id: string; userId: string; itemId: string }[] = [];
interface WriteContext {
  pending?: { id: string; userId: string; itemId: string };
}

// A generous per-request timeout: on a shared 2-core machine queues get long, and a slow answer is not a lost one.
const common = { url: server.url, duration: seconds, timeout: 30, headers: { 'content-type': 'application/json' } };
const randomUser = () => `user-${String(1 + Math.floor(Math.random() * 3000)).padStart(4, '0')}`;
const forRandomUsers = (body: string, connections: number) =>
  autocannon({
    ...common,
    connections,
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: body.replace('USER', randomUser()) }) }],
  });
const reads = forRandomUsers(RECOMMEND, Number(values.readers));
const heavy = forRandomUsers(HEAVY, Number(values.heavy));
let fanOutsRefused = 0;
const abusive = autocannon({
  ...common,
  connections: Number(values.abusive),
  requests: [
    {
      method: 'POST',
      body: FAN_OUT,
      onResponse: (status, body) => {
        if (status === 400 && body.includes('"QUERY_TOO_COSTLY"')) fanOutsRefused++;
      },
    },
  ],
});
const writes = autocannon({
  ...common,
  connections: Number(values.writers),
  requests: [
    {
      method: 'POST',
      setupRequest: (request, context: WriteContext) => {
        const n = sequence++;
        const pending = {
          id: `soak-${n}`,
          userId: `soak-user-${n % 500}`,
          itemId: `item-${String(1 + (n % 1920)).padStart(4, '0')}`,
        };
        context.pending = pending;
        return { ...request, body: JSON.stringify({ query: RECORD, variables: { input: [{ ...pending, type: 'VIEW' }] } }) };
      },
      onResponse: (status, body, context: WriteContext) => {
        if (status === 200 && context.pending && /"recordedCount":1/.test(body)) acknowledged.push(context.pending);
      },
    },
  ],
});
const [readResult, writeResult, heavyResult, abusiveResult] = await Promise.all([reads, writes, heavy, abusive]);
clearInterval(sampler);

// Every acknowledged write is present: recording them all again records none.
let missing = 0;
for (let i = 0; i < acknowledged.length; i += 1000) {
  const input = acknowledged.slice(i, i + 1000).map((a) => ({ ...a, type: 'VIEW' }));
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: RECORD, variables: { input } }),
  });
  const body = (await response.json()) as { data: { recordInteractions: { recordedCount: number } } };
  missing += body.data.recordInteractions.recordedCount;
}
await killHard(server.child);

/** Least-squares slope of RSS over time after the first third (warm-up), in MiB per minute. */
function slopePerMinute(samples: readonly { t: number; rssMiB: number }[]): number {
  const s = samples.slice(Math.floor(samples.length / 3));
  const n = s.length;
  const mt = s.reduce((a, p) => a + p.t, 0) / n;
  const mr = s.reduce((a, p) => a + p.rssMiB, 0) / n;
  const cov = s.reduce((a, p) => a + (p.t - mt) * (p.rssMiB - mr), 0);
  const varT = s.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (cov / varT) * 60;
}

const summarise = (r: autocannon.Result) => ({
  requests: r.requests.total,
  perSecond: Math.round(r.requests.average),
  latencyMs: { p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
});
const summary = {
  seconds,
  readers: summarise(readResult),
  writers: summarise(writeResult),
  heavy: summarise(heavyResult),
  abusive: { ...summarise(abusiveResult), refusedWithQueryTooCostly: fanOutsRefused },
  acknowledgedWrites: acknowledged.length,
  missingAcknowledgedWrites: missing,
  rssMiB: {
    start: memory[0]?.rssMiB,
    end: memory.at(-1)?.rssMiB,
    max: Math.max(...memory.map((m) => m.rssMiB)),
    slopeAfterWarmUpPerMinute: Number(slopePerMinute(memory).toFixed(2)),
  },
};
const failures = [
  ...(summary.readers.non2xx + summary.readers.errors > 0 ? ['failed reads'] : []),
  ...(summary.writers.non2xx + summary.writers.errors > 0 ? ['failed writes'] : []),
  ...(summary.heavy.non2xx + summary.heavy.errors > 0 ? ['failed heavy reads'] : []),
  ...(abusiveResult['2xx'] > 0 || (Number(values.abusive) > 0 && fanOutsRefused === 0) ? ['fan-outs not refused'] : []),
  ...(missing > 0 ? [`${missing} acknowledged writes missing`] : []),
  ...(summary.rssMiB.max > Number(values['max-rss-mib']) ? ['resident memory above the bound'] : []),
  ...(summary.rssMiB.slopeAfterWarmUpPerMinute > Number(values['max-rss-slope']) ? ['resident memory still growing'] : []),
];
console.log(JSON.stringify({ ...summary, failures }, null, 2));
process.exit(failures.length > 0 ? 1 : 0);
