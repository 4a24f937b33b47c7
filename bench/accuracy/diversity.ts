/**
 * What diversity and category caps cost in accuracy and buy in variety, through the served path
 * (RecommendationService with a ranking policy): `npm run bench:diversity -- --dataset lastfm|gowalla
 * --model DIR` (a model folder of that dataset, e.g. the `gat` folder `npm run eval` writes) or `--dataset demo` (the bundled model on the generated demo data, which has categories).
 * Prints the curve and writes bench/results/diversity-<dataset>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { generateDemoDataset } from '../../src/graph/demo/demo-dataset.js';
import { seedDemoData } from '../../src/graph/demo/seed.js';
import { SqliteGraphStore, type ItemRecord } from '../../src/graph/index.js';
import { dot, loadModel, unitVector, type RecommendationModel } from '../../src/inference/index.js';
import { RecommendationService, type RankingPolicy } from '../../src/recommendations/index.js';
import { readSplits, type UserItems } from './lightgcn-split.js';
import { importSplit, rankingMetrics } from './served-evaluation.js';

const K = 20;
const BATCH = 128;
const DIVERSITY = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const CATEGORY_CAPS = [null, 8, 4, 2];

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    model: { type: 'string' },
    'data-dir': { type: 'string', default: '../shared/datasets' },
    users: { type: 'string', default: '1000' },
  },
});
const dataset = values.dataset;
if (dataset !== 'lastfm' && dataset !== 'gowalla' && dataset !== 'demo') {
  console.error('usage: npm run bench:diversity -- --dataset lastfm|gowalla --model DIR | --dataset demo [--users N]');
  process.exit(2);
}
if (dataset !== 'demo' && !values.model) {
  console.error(`--dataset ${dataset} needs --model DIR: a model folder of that dataset (npm run eval -- --dataset ${dataset} writes one)`);
  process.exit(2);
}

const logger = pino({ level: 'warn' });
const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-diversity-')), 'store.sqlite'));
const model = await loadModel(values.model ?? 'models/demo', { executionProvider: 'cpu', logger });
let test: UserItems | null = null;
let users: string[];
if (dataset !== 'demo') {
  const dir = join(values['data-dir'], dataset);
  await importSplit(store, model.vocabulary.itemCount, readSplits([join(dir, 'train.txt'), join(dir, 'valid.txt')]));
  test = new Map([...readSplits([join(dir, 'test.txt')])].filter(([, items]) => items.length > 0));
  users = [...test.keys()];
} else {
  const demo = generateDemoDataset();
  await seedDemoData(store, demo);
  users = [...new Set(demo.interactions.map((i) => i.userId))].sort();
}
users = users.slice(0, Number(values.users));
const service = await RecommendationService.create(store, model);

const policy = (diversity: number, maxPerCategory: number | null): RankingPolicy => ({
  boosts: [],
  pins: [],
  includeInteracted: false,
  diversity,
  maxPerCategory,
});

interface Row {
  readonly diversity: number;
  readonly maxPerCategory: number | null;
  readonly recall: number | null;
  readonly ndcg: number | null;
  /** Mean over users of the mean pairwise cosine distance (1 − cos) of the top K's candidate vectors. */
  readonly intraListDiversity: number;
  /** Mean distinct categories in a top K (demo only). */
  readonly categories: number | null;
  /** Mean over users of the mean model score of the list relative to the plain ranking's. */
  readonly relevanceKept: number;
  /** Mean list length: a category cap can leave fewer than K among the candidates. */
  readonly length: number;
  readonly secondsPerUser: number;
}

const plainScore = new Map<string, number>();
async function measure(diversity: number, maxPerCategory: number | null): Promise<Row> {
  let recall = 0;
  let ndcg = 0;
  let distance = 0;
  let categories = 0;
  let kept = 0;
  let length = 0;
  const started = performance.now();
  for (let start = 0; start < users.length; start += BATCH) {
    const batch = users.slice(start, start + BATCH);
    const lists = await service.recommend(batch.map((userId) => ({ userId, first: K, explain: false, policy: policy(diversity, maxPerCategory) })));
    lists.forEach((list, i) => {
      const userId = batch[i]!;
      const items = list.map((r) => r.item);
      if (test) {
        const metrics = rankingMetrics(items.map((item) => item.id), new Set(test.get(userId)!), K);
        recall += metrics.recall;
        ndcg += metrics.ndcg;
      }
      distance += intraListDistance(model, items);
      categories += new Set(items.map((item) => item.category)).size;
      const score = list.reduce((sum, r) => sum + r.score, 0) / Math.max(1, list.length);
      length += list.length;
      if (diversity === 0 && maxPerCategory === null) plainScore.set(userId, score);
      kept += score / plainScore.get(userId)!;
    });
  }
  const n = users.length;
  return {
    diversity,
    maxPerCategory,
    recall: test ? round(recall / n) : null,
    ndcg: test ? round(ndcg / n) : null,
    intraListDiversity: round(distance / n),
    categories: dataset === 'demo' ? round(categories / n, 2) : null,
    relevanceKept: round(kept / n),
    length: round(length / n, 2),
    secondsPerUser: round((performance.now() - started) / 1000 / n, 5),
  };
}

function intraListDistance(served: RecommendationModel, items: readonly ItemRecord[]): number {
  const rows = served.candidateRows();
  const d = served.metadata.embeddingDim;
  const vectors = items.map((item) => {
    const index = served.vocabulary.itemIndex.get(item.id)!;
    return unitVector(rows.subarray(index * d, (index + 1) * d));
  });
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < vectors.length; a++) {
    for (let b = a + 1; b < vectors.length; b++) {
      sum += 1 - dot(vectors[a]!, vectors[b]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

const rows: Row[] = [];
for (const diversity of DIVERSITY) rows.push(await measure(diversity, null));
if (dataset === 'demo') for (const cap of CATEGORY_CAPS.slice(1)) rows.push(await measure(0, cap));

const report = {
  dataset,
  createdAt: new Date().toISOString(),
  git: { commit: execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim() },
  machine: { cpus: cpus().length, node: process.version },
  model: { version: model.info.version, items: model.info.itemCount },
  protocol: {
    users: users.length,
    k: K,
    path: 'RecommendationService.recommend with a ranking policy (diversity: MMR over the best K + 100 candidates by the model\'s candidate vectors), batches of 128 users, no explanations',
    ...(dataset !== 'demo'
      ? { store: 'train.txt + valid.txt (weight 1, time = position)', test: 'test.txt of the first users in file order; known items excluded (our protocol, as npm run eval)' }
      : { store: 'the generated demo data (npm start seeds the same)', test: 'none: demo users have no held-out items' }),
  },
  rows,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(join('bench/results', `diversity-${dataset}.json`), `${JSON.stringify(report, null, 2)}\n`);

console.log(`\n${dataset}: ${users.length} users, top ${K}, served path with a ranking policy\n`);
console.log('| diversity | maxPerCategory | Recall@20 | NDCG@20 | intra-list diversity | categories | relevance kept | length | ms/user |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const cell = (v: number | null) => (v === null ? '-' : String(v));
  console.log(`| ${r.diversity} | ${cell(r.maxPerCategory)} | ${cell(r.recall)} | ${cell(r.ndcg)} | ${r.intraListDiversity} | ${cell(r.categories)} | ${r.relevanceKept} | ${r.length} | ${(r.secondsPerUser * 1000).toFixed(2)} |`);
}
await model.close();
await store.close();
