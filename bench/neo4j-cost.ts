/**
 * `npm run bench:neo4j-cost`: what a neighbourhood fetch costs on the Neo4j at `NEO4J_*` (import a
 * dataset first, e.g. Gowalla: docs/graph-model.md). Prints latency p50 / p99 of fetches for one
 * user and for 50, for random users and for users whose items are the most popular ones, and the
 * database hits of the neighbourhood statement from `PROFILE`; writes them to bench/results/.
 * Bounded: a fixed number of fetches.
 *
 * Options: --hop1 N --hop2 N (default 48 and 8, the bundled model's fan-outs), --fetches N (default 200).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import { loadConfig } from '../src/config.js';
import { Neo4jGraphStore } from '../src/graph/index.js';
import { neighbourhoodsQuery } from '../src/graph/neo4j/cypher.js';

const { values: args } = parseArgs({
  options: { hop1: { type: 'string', default: '48' }, hop2: { type: 'string', default: '8' }, fetches: { type: 'string', default: '200' } },
});
const fanouts = { hop1: Number(args.hop1), hop2: Number(args.hop2) };
const FETCHES = Number(args.fetches);
const BATCH = 50;

const config = loadConfig({ ...process.env, GRAPH_STORE: 'neo4j' });
const store = await Neo4jGraphStore.connect(config.neo4j);
const driver = neo4j.driver(config.neo4j.uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password));

/** Deterministic, so runs before and after a change fetch the same users. */
function sampler(seed: number) {
  let state = seed >>> 0;
  return <T>(list: readonly T[]): T => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return list[state % list.length]!;
  };
}

async function allUsers(): Promise<string[]> {
  const ids: string[] = [];
  for (let afterId: string | null = null; ; ) {
    const page = await store.listUsers({ first: 5000, afterId });
    ids.push(...page.records.map((u) => u.id));
    if (!page.hasNextPage) return ids;
    afterId = ids[ids.length - 1]!;
  }
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
async function latency(batches: readonly (readonly string[])[]) {
  const ms: number[] = [];
  for (const batch of batches) {
    const started = performance.now();
    await store.neighbourhoods(batch, fanouts);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { fetches: ms.length, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
}

/** Database hits of one neighbourhood statement, summed over its profiled plan. */
async function dbHits(userIds: readonly string[]): Promise<number> {
  const { cypher, params } = neighbourhoodsQuery(userIds, fanouts.hop1, fanouts.hop2);
  const session = driver.session({ database: config.neo4j.database, defaultAccessMode: neo4j.session.READ });
  try {
    const result = await session.run(`PROFILE ${cypher}`, params);
    const sum = (plan: { dbHits: number; children: unknown[] }): number =>
      plan.dbHits + plan.children.reduce<number>((total, child) => total + sum(child as typeof plan), 0);
    return sum(result.summary.profile as unknown as { dbHits: number; children: unknown[] });
  } finally {
    await session.close();
  }
}

const users = await allUsers();
// Users whose sampled items are the most popular: the ones whose hop 2 meets the super-nodes.
const popularity = new Map((await store.popularItems({ limit: 100_000 })).map((p) => [p.item.id, p.userCount]));
const sample = sampler(20261201);
const candidates = Array.from({ length: 2000 }, () => sample(users));
const scored: { id: string; heat: number }[] = [];
for (let k = 0; k < candidates.length; k += BATCH) {
  const batch = candidates.slice(k, k + BATCH);
  (await store.neighbourhoods(batch, fanouts)).forEach((n, i) =>
    scored.push({ id: batch[i]!, heat: n.items.reduce((total, item) => total + (popularity.get(item.item.id) ?? 0), 0) }),
  );
}
const hot = scored.sort((a, b) => b.heat - a.heat).slice(0, BATCH).map((s) => s.id);

const pick = sampler(7);
const randomSingles = Array.from({ length: FETCHES }, () => [pick(users)]);
const randomBatches = Array.from({ length: Math.max(10, FETCHES / 4) }, () => Array.from({ length: BATCH }, () => pick(users)));
await latency(randomSingles.slice(0, 20)); // warm-up: plan cache, page cache

const result = {
  measuredAt: new Date().toISOString(),
  fanouts,
  users: users.length,
  interactions: (await store.interactionCounts(users)).reduce((a, b) => a + b, 0),
  hottestItemUsers: Math.max(...popularity.values()),
  latency: {
    oneRandomUser: await latency(randomSingles),
    fiftyRandomUsers: await latency(randomBatches),
    oneHotUser: await latency(hot.map((id) => [id])),
    fiftyHotUsers: await latency(Array.from({ length: 20 }, () => hot)),
  },
  dbHitsPerUser: {
    random: (await dbHits(randomBatches[0]!)) / BATCH,
    hot: (await dbHits(hot)) / BATCH,
  },
};
const l = result.latency;
console.log(JSON.stringify(result, null, 2));
console.log(
  `50-user p99 / 1-user p50: random ${(l.fiftyRandomUsers.p99Ms / l.oneRandomUser.p50Ms).toFixed(1)}, hot ${(l.fiftyHotUsers.p99Ms / l.oneHotUser.p50Ms).toFixed(1)} (target ≤ 10)`,
);
const dir = join(new URL('..', import.meta.url).pathname, 'bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `neo4j-cost-${result.measuredAt.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
await driver.close();
await store.close();
