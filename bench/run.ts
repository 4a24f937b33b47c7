/**
 * `npm run bench`: starts the real server (compiled, embedded store, demo data, bundled model) and a
 * static-answer ceiling server on loopback, drives them with autocannon, prints one table and
 * writes the numbers to bench/results/. Then the same recommendations on Neo4j (the test server of
 * tools/neo4j-test-server, seeded with the same demo data), batching on and off, unless Java is
 * missing or `--no-neo4j` is given. Peers (bench/peer-server.ts: Apollo Server standalone, GraphQL
 * Yoga, Mercurius + graphql-jit) serve the same static answer and `{ __typename }` in the same run,
 * each in its own process, unless `--no-peers` is given; our rows are printed as ratios to theirs.
 * After `{ __typename }` and the explained recommendations at 64 connections, the same requests
 * arrive open-loop (bench/open-loop.ts, Poisson arrivals) at half the throughput measured there:
 * p50 and p99 from each request's scheduled start. recograph runs as production does, with an API
 * key (a reader key, bench/bench-server.ts), which every request and every `/metrics` scrape sends.
 * Bounded: about 12 s per scenario, 24 scenarios (18 without peers).
 *
 * Options: --duration S (measured seconds per scenario, default 8), --warmup S (default 2), --no-neo4j, --no-peers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { PEER_NAMES, PEERS, type Peer } from './peers.js';
import { DEMO_USERS, EXPLAINED_QUERY, perUser } from './workload.js';
import { BENCH_HEADERS, post, startRecograph, stopper, type Server } from './bench-server.js';
import { runOpenLoop, summaryLine } from './open-loop.js';
import { neo4jTestServerUnavailableReason, startNeo4jTestServer } from '../tools/neo4j-test-server/launch.js';
import { parseMetrics, stageSeconds, type MetricsSnapshot } from './metrics-text.js';

const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '8' }, warmup: { type: 'string', default: '2' }, 'no-neo4j': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const ROOT = new URL('..', import.meta.url).pathname;

const POLICY = `query Recommend($u: ID!) { recommendations(userId: $u, first: 10, diversity: 0.3, maxPerCategory: 4,
  rules: { boosts: [{ name: "Jazz week", categories: ["Jazz"], factor: 1.5 }], pins: [{ itemId: "item-0490", position: 3 }] }) {
  rank score item { id title category }
  explanation { kind summary rules { kind name } contributions(first: 5) { weight share item { id title } } } } }`;
const SMALL = `query Recommend($u: ID!) { recommendations(userId: $u, first: 10) { score item { id } } }`;
const aliased = (users: readonly string[]) =>
  `{ ${users.map((u, i) => `u${i}: recommendations(userId: "${u}", first: 10) { score item { id } }`).join(' ')} }`;

const SESSION = `query Visit($items: [ID!]!) { recommendations(context: { itemIds: $items }, first: 10) {
  rank score item { id title category }
  explanation { kind summary modelVersion contributions(first: 5) { weight share item { id title } } } } }`;
const SIMILAR = `query Similar($item: ID!) { similarItems(itemId: $item, first: 10) {
  rank score sharedUserCount item { id title category } explanation { kind summary } } }`;
/** Item pages: every demo item of the first 1,000. */
const ITEM_PAGES = Array.from({ length: 1000 }, (_, k) => `item-${String(k + 1).padStart(4, '0')}`);
/** Anonymous visits of 5 demo items each, spread over the first 200 items. */
const VISITS = DEMO_USERS.map((_, k) => Array.from({ length: 5 }, (_, j) => `item-${String(((k * 7 + j * 13) % 200) + 1).padStart(4, '0')}`));

const BODIES = {
  typename: [JSON.stringify({ query: '{ __typename }' })],
  full: perUser(EXPLAINED_QUERY),
  policy: perUser(POLICY),
  small: perUser(SMALL),
  session: VISITS.map((items) => JSON.stringify({ query: SESSION, variables: { items } })),
  similar: ITEM_PAGES.map((item) => JSON.stringify({ query: SIMILAR, variables: { item } })),
  alias50: Array.from({ length: 60 }, (_, k) => JSON.stringify({ query: aliased(DEMO_USERS.slice(k * 50, k * 50 + 50)) })),
};

interface Row {
  scenario: string;
  server: string;
  connections: number;
  requestsPerSecond: number;
  latencyMeanMs: number;
  /**
   * connections / throughput (Little's law; exact for a closed loop). autocannon's latency histogram
   * holds whole milliseconds, which turns a 1.4 ms request into 1 ms: ratios of small latencies use this.
   */
  meanMsFromThroughput: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  eventLoopP99Ms: number | null;
  meanBatchUsers: number | null;
  errors: number;
  stagesMsPerRequest: Record<string, number> | null;
  /** Result-cache hits ÷ lookups during the measurement; null when nothing was looked up. */
  resultCacheHitRate: number | null;
}

/** A bench server script that prints `{"url": ...}` once listening: our static answer, or a peer. */
async function startScript(name: string, script: string, args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { url } = JSON.parse(line) as { url: string };
  return { name, url, metricsUrl: new URL('/metrics', url).href, stop: stopper(child) };
}

async function scrape(server: Server): Promise<MetricsSnapshot | null> {
  const response = await fetch(server.metricsUrl, { headers: BENCH_HEADERS }).catch(() => null);
  return response?.ok ? parseMetrics(await response.text()) : null;
}

function cannon(url: string, bodies: readonly string[], connections: number, seconds: number) {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: BENCH_HEADERS,
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]! }) }],
  });
}

async function measure(scenario: string, server: Server, bodies: readonly string[], connections: number): Promise<Row> {
  const check = await post(server.url, bodies[0]!);
  if (check.errors) throw new Error(`${scenario}: ${JSON.stringify(check.errors)}`);
  await cannon(server.url, bodies, connections, WARMUP);
  const before = await scrape(server); // also resets the event-loop delay histogram
  const result = await cannon(server.url, bodies, connections, DURATION);
  const after = await scrape(server);
  const requests = after && before ? after.requests - before.requests : 0;
  const batches = after && before ? after.batchCount - before.batchCount : 0;
  const hits = after && before ? after.resultCacheHits - before.resultCacheHits : 0;
  const lookups = after && before ? hits + after.resultCacheMisses - before.resultCacheMisses : 0;
  const row: Row = {
    scenario,
    server: server.name,
    connections,
    requestsPerSecond: result.requests.average,
    latencyMeanMs: result.latency.average,
    meanMsFromThroughput: (connections * 1000 * result.duration) / result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    eventLoopP99Ms: after ? after.eventLoopP99Seconds * 1000 : null,
    meanBatchUsers: batches > 0 ? (after!.batchUsersSum - before!.batchUsersSum) / batches : null,
    errors: result.errors + result.non2xx + result.timeouts,
    stagesMsPerRequest: after && before && requests > 0 ? stageSeconds(before, after, requests, 1000) : null,
    resultCacheHitRate: lookups > 0 ? hits / lookups : null,
  };
  console.error(`  ${scenario}: ${row.requestsPerSecond.toFixed(0)} req/s, p99 ${row.latencyP99Ms} ms`);
  return row;
}

/** Latency when requests arrive at `rate` whatever the answers do (bench/open-loop.ts), after a warm-up at that rate. */
async function atFixedRate(scenario: string, server: Server, bodies: readonly string[], rate: number) {
  const report = await runOpenLoop({ url: server.url, bodies, headers: BENCH_HEADERS, rate, arrivals: 'poisson', seconds: DURATION, warmupSeconds: WARMUP });
  console.error(`  ${scenario}, open loop at ${rate.toFixed(0)} req/s: p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`);
  return { scenario, server: server.name, report };
}

const SIMILAR_SCENARIO = 'similar items (first: 10) of an item page, explained';

const SERVER_SETTINGS = /^((INFERENCE|RECOMMENDATION|EMBEDDED|MAX_QUERY|GRAPHQL)_|RESULT_CACHE)/;

async function main(): Promise<void> {
  const started = new Date();
  const loadAverageAtStart = loadavg();
  console.error('building dist/ …');
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '--build', 'tsconfig.build.json'], { cwd: ROOT });
  const dataDir = mkdtempSync(join(tmpdir(), 'recograph-bench-'));
  const rows: Row[] = [];

  console.error('recograph (default settings, plus any in the environment) …');
  const main = await startRecograph('recograph', dataDir);
  const answer = (await post(main.url, BODIES.full[0]!)).data.recommendations;
  const answerPath = join(dataDir, 'static-answer.json');
  writeFileSync(answerPath, JSON.stringify(answer));
  rows.push(await measure('{ __typename }', main, BODIES.typename, 64));
  const latencies = [await atFixedRate('{ __typename }', main, BODIES.typename, rows.at(-1)!.requestsPerSecond / 2)];
  for (const connections of [1, 16, 64]) rows.push(await measure('recommendations(first: 10), explained', main, BODIES.full, connections));
  latencies.push(await atFixedRate('recommendations(first: 10), explained', main, BODIES.full, rows.at(-1)!.requestsPerSecond / 2));
  rows.push(await measure('recommendations(first: 10), explained, with rules, diversity and a category cap', main, BODIES.policy, 64));
  rows.push(await measure('anonymous visit (context of 5 items), explained', main, BODIES.session, 64));
  rows.push(await measure(SIMILAR_SCENARIO, main, BODIES.similar, 64));
  rows.push(await measure('1 user: score item { id }', main, BODIES.small, 1));
  rows.push(await measure('50 users (aliases): score item { id }', main, BODIES.alias50, 1));
  await main.stop();

  console.error('static-answer ceiling …');
  const ceiling = await startScript('static answer', 'bench/static-server.ts', [answerPath]);
  rows.push(await measure('static answer, same shape', ceiling, BODIES.full, 64));
  await ceiling.stop();

  const peers: readonly Peer[] = args['no-peers'] ? [] : PEERS;
  for (const peer of peers) {
    console.error(`peer: ${PEER_NAMES[peer]} …`);
    const server = await startScript(PEER_NAMES[peer], 'bench/peer-server.ts', [peer, answerPath]);
    const served = (await post(server.url, BODIES.full[0]!)).data?.recommendations;
    if (JSON.stringify(served) !== JSON.stringify(answer)) throw new Error(`${PEER_NAMES[peer]} does not serve the same answer`);
    rows.push(await measure('{ __typename }', server, BODIES.typename, 64));
    rows.push(await measure('static answer, same shape', server, BODIES.full, 64));
    await server.stop();
  }

  console.error('recograph with cross-request batching off …');
  const unbatched = await startRecograph('recograph, batching off', dataDir, { RECOMMENDATION_BATCHING: 'false' });
  rows.push(await measure('recommendations(first: 10), explained', unbatched, BODIES.full, 64));
  await unbatched.stop();

  console.error('recograph with every operation on graphql-js (GRAPHQL_EXECUTOR=graphql-js) …');
  const interpreted = await startRecograph('recograph, graphql-js executor', dataDir, { GRAPHQL_EXECUTOR: 'graphql-js' });
  rows.push(await measure('{ __typename }', interpreted, BODIES.typename, 64));
  rows.push(await measure('recommendations(first: 10), explained', interpreted, BODIES.full, 64));
  await interpreted.stop();

  console.error('recograph with inference on the event loop (INFERENCE_WORKERS=0) …');
  const onLoop = await startRecograph('recograph, no worker', dataDir, { INFERENCE_WORKERS: '0' });
  rows.push(await measure('recommendations(first: 10), explained', onLoop, BODIES.full, 64));
  await onLoop.stop();

  console.error('recograph with the result cache on (RESULT_CACHE=true) …');
  const cached = await startRecograph('recograph, result cache on', dataDir, { RESULT_CACHE: 'true' });
  // Every item page asked once first: the measurement sees the steady state of a site whose pages repeat.
  for (const body of BODIES.similar) await post(cached.url, body);
  rows.push(await measure(SIMILAR_SCENARIO, cached, BODIES.similar, 64));
  await cached.stop();

  const neo4jMissing = args['no-neo4j'] ? '--no-neo4j' : neo4jTestServerUnavailableReason();
  if (neo4jMissing === null) {
    console.error('Neo4j test server, and recograph on it (seeding the demo data) …');
    const neo4j = await startNeo4jTestServer({ heap: '2g', pageCache: '512m' });
    try {
      const neo4jEnv = { GRAPH_STORE: 'neo4j', ...neo4j.settings };
      const onNeo4j = await startRecograph('recograph on Neo4j', dataDir, neo4jEnv);
      for (const connections of [1, 16, 64]) rows.push(await measure('recommendations(first: 10), explained', onNeo4j, BODIES.full, connections));
      await onNeo4j.stop();
      const unbatchedNeo4j = await startRecograph('recograph on Neo4j, batching off', dataDir, { ...neo4jEnv, RECOMMENDATION_BATCHING: 'false' });
      rows.push(await measure('recommendations(first: 10), explained', unbatchedNeo4j, BODIES.full, 64));
      await unbatchedNeo4j.stop();
    } finally {
      await neo4j.stop();
    }
  } else {
    console.error(`no Neo4j leg: ${neo4jMissing}`);
  }

  const find = (server: string, scenario: string, connections: number) =>
    rows.find((r) => r.server === server && r.scenario === scenario && r.connections === connections)!;
  const onNeo4j64 = rows.find((r) => r.server === 'recograph on Neo4j' && r.connections === 64);
  const unbatchedNeo4j64 = rows.find((r) => r.server === 'recograph on Neo4j, batching off');
  const rec64 = find('recograph', 'recommendations(first: 10), explained', 64);
  const typename = find('recograph', '{ __typename }', 64);
  const staticAnswer = find('static answer', 'static answer, same shape', 64);
  const unbatched64 = find('recograph, batching off', 'recommendations(first: 10), explained', 64);
  // Ours against each peer at 64 connections: live recommendations and our static answer against the
  // peer's static answer, our `{ __typename }` against the peer's.
  const peerRatios = Object.fromEntries(
    peers.flatMap((peer) => {
      const name = PEER_NAMES[peer];
      const key = peer[0]!.toUpperCase() + peer.slice(1);
      const theirs = find(name, 'static answer, same shape', 64).requestsPerSecond;
      return [
        [`recommendationsVs${key}Static`, rec64.requestsPerSecond / theirs],
        [`staticAnswerVs${key}Static`, staticAnswer.requestsPerSecond / theirs],
        [`typenameVs${key}Typename`, typename.requestsPerSecond / find(name, '{ __typename }', 64).requestsPerSecond],
      ];
    }),
  );
  const ratios = {
    ...peerRatios,
    recommendationsVsStaticCeiling: rec64.requestsPerSecond / staticAnswer.requestsPerSecond,
    recommendationsVsTypename: rec64.requestsPerSecond / typename.requestsPerSecond,
    batchingOnVsOff: rec64.requestsPerSecond / unbatched64.requestsPerSecond,
    // What batching on vs off could reach if batched requests cost no more than the static answer.
    batchingOnVsOffCeiling: staticAnswer.requestsPerSecond / unbatched64.requestsPerSecond,
    compiledVsGraphqlJs: rec64.requestsPerSecond / find('recograph, graphql-js executor', 'recommendations(first: 10), explained', 64).requestsPerSecond,
    compiledVsGraphqlJsTypename: typename.requestsPerSecond / find('recograph, graphql-js executor', '{ __typename }', 64).requestsPerSecond,
    workerVsEventLoop: rec64.requestsPerSecond / find('recograph, no worker', 'recommendations(first: 10), explained', 64).requestsPerSecond,
    similarItemsCacheOnVsOff:
      find('recograph, result cache on', SIMILAR_SCENARIO, 64).requestsPerSecond / find('recograph', SIMILAR_SCENARIO, 64).requestsPerSecond,
    fiftyUsersVsOneLatency:
      find('recograph', '50 users (aliases): score item { id }', 1).meanMsFromThroughput /
      find('recograph', '1 user: score item { id }', 1).meanMsFromThroughput,
    ...(onNeo4j64 && unbatchedNeo4j64
      ? {
          neo4jVsEmbedded: onNeo4j64.requestsPerSecond / rec64.requestsPerSecond,
          neo4jBatchingOnVsOff: onNeo4j64.requestsPerSecond / unbatchedNeo4j64.requestsPerSecond,
        }
      : {}),
  };

  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      server: r.server,
      conns: r.connections,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.latencyP50Ms,
      'p99 ms': r.latencyP99Ms,
      'loop p99 ms': r.eventLoopP99Ms?.toFixed(1) ?? '',
      'users/batch': r.meanBatchUsers?.toFixed(1) ?? '',
      'cache hits': r.resultCacheHitRate?.toFixed(2) ?? '',
      errors: r.errors,
      'vs static': (r.requestsPerSecond / staticAnswer.requestsPerSecond).toFixed(2),
      'vs typename': (r.requestsPerSecond / typename.requestsPerSecond).toFixed(3),
    })),
  );
  if (peers.length > 0) {
    const ours = [
      ['recommendations(first: 10), explained (live)', rec64, 'static answer, same shape'],
      ['static answer, same shape', staticAnswer, 'static answer, same shape'],
      ['{ __typename }', typename, '{ __typename }'],
    ] as const;
    console.log('recograph at 64 connections as a ratio to each peer (req/s ÷ req/s, same run):');
    console.table(
      ours.map(([label, row, theirs]) => ({
        'recograph row': label,
        'req/s': Math.round(row.requestsPerSecond),
        ...Object.fromEntries(peers.map((peer) => [PEER_NAMES[peer], (row.requestsPerSecond / find(PEER_NAMES[peer], theirs, 64).requestsPerSecond).toFixed(2)])),
      })),
    );
  }
  console.log('ratios:', Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Number(v.toFixed(3))])));
  for (const { scenario, report } of latencies) console.log(`${scenario} at half its 64-connection throughput, open loop: ${summaryLine(report)}`);
  for (const connections of [1, 64]) {
    const stages = find('recograph', 'recommendations(first: 10), explained', connections).stagesMsPerRequest;
    console.log(`ms per request by stage at ${connections} connection(s):`, stages);
  }

  const result = {
    startedAt: started.toISOString(),
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart, loadAverageAtEnd: loadavg(), node: process.version },
    // Settings the servers inherited from the environment (an A/B run of one setting passes it there).
    serverSettings: Object.fromEntries(Object.entries(process.env).filter(([name]) => SERVER_SETTINGS.test(name))),
    rows,
    ratios,
    latencyAtHalfSaturation: latencies,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${file}`);
}

await main();
