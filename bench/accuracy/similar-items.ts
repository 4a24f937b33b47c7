/**
 * Similar items, item to item: `npm run bench:similar-items -- --dataset lastfm|gowalla`. For every
 * held-out user, one of their known items is the query; the answer is ranked without the user's
 * known items and scored against their held-out items (Recall@20, NDCG@20). The served path
 * (`SimilarItems` over the embedded store and the model's candidate table, both similarity bases, personalised by the
 * user at several blend weights) against item co-occurrence (item-kNN cosine) and popularity.
 * Writes bench/results/similar-items-<dataset>.json. Protocol: docs/recommendation-surface.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SeededRandom } from '../../src/graph/demo/random.js';
import { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel } from '../../src/inference/index.js';
import { SimilarItems } from '../../src/recommendations/index.js';
import { readSplits } from './lightgcn-split.js';
import { evaluateServed, importSplit, rankingMetrics, servedPath } from './served-evaluation.js';

const K = 20;
const SEED = 0;
const WEIGHTS = [0, 0.1, 0.25, 0.5, 1];
const USERS_PER_BATCH = 256;

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'data-dir': { type: 'string', default: '../shared/datasets' },
    model: { type: 'string' },
    split: { type: 'string', default: 'test' },
    weights: { type: 'string' },
  },
});
const dataset = values.dataset;
const split = values.split;
if ((dataset !== 'gowalla' && dataset !== 'lastfm') || (split !== 'valid' && split !== 'test')) {
  console.error('usage: npm run bench:similar-items -- --dataset lastfm|gowalla [--split valid|test] [--model DIR] [--weights 0,0.25]');
  process.exit(2);
}
const dataDir = values['data-dir'];
// As the accuracy benchmark: select on valid.txt with train.txt known, report test.txt with both known.
const knownFiles = split === 'valid' ? ['train.txt'] : ['train.txt', 'valid.txt'];
const targetFile = split === 'valid' ? 'valid.txt' : 'test.txt';
const modelDir = values.model ?? join('.cache/eval', dataset, 'gat');
const weights = values.weights ? values.weights.split(',').map(Number) : WEIGHTS;

const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const known = readSplits(knownFiles.map((f) => join(dataDir, dataset, f)));
const targets = new Map([...readSplits([join(dataDir, dataset, targetFile)])].filter(([user, items]) => items.length > 0 && (known.get(user)?.length ?? 0) > 0));

// The query of each user: one of their known items, drawn with a fixed seed (the files hold no times).
const random = new SeededRandom(SEED);
const queries = new Map([...targets.keys()].map((user) => {
  const items = known.get(user)!;
  return [user, items[random.int(items.length)]!] as const;
}));

const itemUsers = new Map<string, Set<string>>();
for (const [user, items] of known) for (const item of items) (itemUsers.get(item) ?? itemUsers.set(item, new Set()).get(item)!).add(user);

interface Row {
  readonly method: string;
  readonly recall: number;
  readonly ndcg: number;
  readonly users: number;
  readonly seconds: number;
  readonly [key: string]: unknown;
}
const rows: Row[] = [];

/** Scores a ranker that returns each user's top K (their known items already left out). */
async function measure(method: string, rank: (users: readonly string[]) => Promise<string[][]>, extra: Record<string, unknown> = {}): Promise<void> {
  const started = performance.now();
  const users = [...targets.keys()];
  let recall = 0;
  let ndcg = 0;
  for (let lo = 0; lo < users.length; lo += USERS_PER_BATCH) {
    const batch = users.slice(lo, lo + USERS_PER_BATCH);
    const ranked = await rank(batch);
    batch.forEach((user, i) => {
      const m = rankingMetrics(ranked[i]!, new Set(targets.get(user)), K);
      recall += m.recall;
      ndcg += m.ndcg;
    });
  }
  const row = { method, recall: round(recall / users.length), ndcg: round(ndcg / users.length), users: users.length, seconds: round((performance.now() - started) / 1000, 1), ...extra };
  rows.push(row);
  console.log(`${method.padEnd(52)} Recall@${K} ${row.recall.toFixed(4)}  NDCG@${K} ${row.ndcg.toFixed(4)}  (${row.seconds} s)`);
}

/** The best K items by `score`, without the user's known items; ties by item id order of first sight. */
function topK(scores: Map<string, number>, leaveOut: ReadonlySet<string>): string[] {
  return [...scores].filter(([item]) => !leaveOut.has(item)).sort((a, b) => b[1] - a[1]).slice(0, K).map(([item]) => item);
}

const popularity = new Map([...itemUsers].map(([item, users]) => [item, users.size]));
const byPopularity = [...popularity].sort((a, b) => b[1] - a[1]).map(([item]) => item);
await measure('popularity', async (users) =>
  users.map((user) => {
    const leaveOut = new Set(known.get(user));
    const out: string[] = [];
    for (const item of byPopularity) if (!leaveOut.has(item) && out.push(item) === K) break;
    return out;
  }),
);

await measure('item co-occurrence (item-kNN cosine)', async (users) =>
  users.map((user) => {
    const query = queries.get(user)!;
    const mine = itemUsers.get(query)!;
    const together = new Map<string, number>();
    for (const other of mine) for (const item of known.get(other)!) together.set(item, (together.get(item) ?? 0) + 1);
    const scores = new Map([...together].map(([item, c]) => [item, c / Math.sqrt(mine.size * itemUsers.get(item)!.size)]));
    return topK(scores, new Set([...known.get(user)!, query]));
  }),
);

let model: Record<string, unknown> = { available: false, folder: modelDir };
if (existsSync(join(modelDir, 'model.json'))) {
  const started = performance.now();
  const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-similar-')), 'store.sqlite'));
  const served = await loadModel(modelDir, { executionProvider: 'cpu', logger: pino({ level: 'warn' }) });
  const imported = await importSplit(store, served.vocabulary.itemCount, known);
  const path = await servedPath(store, served);
  model = { available: true, folder: modelDir, version: served.info.version, importedInteractions: imported, importSeconds: round((performance.now() - started) / 1000, 1) };
  for (const basis of ['CO_USERS', 'ITEM_ROWS'] as const) {
    for (const weight of weights) {
      const similar = new SimilarItems(store, served, path.candidates, { basis, personalWeight: weight });
      await measure(`similarItems ${basis}, user weight ${weight}`, async (users) => {
        const lists = await similar.rank(users.map((user) => ({ itemId: queries.get(user)!, first: K, userId: user })));
        return lists.map((list) => list.map((s) => s.item.id));
      }, { basis, personalWeight: weight });
    }
  }
  // For reference, not item to item: the user's own recommendations, ignoring the query item.
  const started2 = performance.now();
  const recommended = await evaluateServed(path, targets, K);
  rows.push({ method: 'recommendations (user model only, no query item)', ...recommended, recall: round(recommended.recall), ndcg: round(recommended.ndcg), seconds: round((performance.now() - started2) / 1000, 1) });
  console.log(`${'recommendations (user model only, no query item)'.padEnd(52)} Recall@${K} ${recommended.recall.toFixed(4)}  NDCG@${K} ${recommended.ndcg.toFixed(4)}`);
  await served.close();
  await store.close();
} else {
  console.log(`no trained model at ${modelDir} (train one with \`npm run eval -- --dataset ${dataset} --models gat\`): baselines only`);
}

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const report = {
  dataset,
  split,
  createdAt: new Date().toISOString(),
  git: { commit, dirty },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  protocol: {
    known: knownFiles,
    targets: targetFile,
    users: targets.size,
    query: `per target user, one of their known items drawn uniformly (SeededRandom(${SEED}), users in file order); the files hold no times`,
    ranking: "all items, without the user's known items and the query item; top 20",
    metrics: "Recall@20 = target items in the top 20 / target items; NDCG@20 with binary relevance, ideal DCG over min(20, targets) positions (LightGCN's definitions), mean over target users",
    bases: 'CO_USERS: the query direction is the model\'s h_u of a neighbourhood whose one interaction is the query item (its attention over its most recent co-users); ITEM_ROWS: the query item\'s own candidate row',
    served: 'SimilarItems.rank over the known splits imported into the embedded SqliteGraphStore (weight 1, time = position), with userId: the user\'s items excluded and personalWeight × the unit h_u added to the query direction',
    coOccurrence: 'cosine of item user sets over the known splits: |U_q ∩ U_j| / sqrt(|U_q| |U_j|)',
  },
  model,
  rows,
};
mkdirSync('bench/results', { recursive: true });
const out = join('bench/results', `similar-items-${dataset}${split === 'valid' ? '-valid' : ''}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${out}`);
