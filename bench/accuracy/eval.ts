/**
 * The accuracy benchmark: `npm run eval -- --dataset gowalla|lastfm`. Trains (or resumes and loads)
 * every model in Python, then evaluates the exported GAT through the served path (embedded store
 * sampling → tensor assembly → onnxruntime-node), measures explanation fidelity, prints the table
 * and writes bench/results/accuracy-<dataset>.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SeededRandom } from '../../src/graph/demo/random.js';
import { SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel } from '../../src/inference/index.js';
import { explanationFidelity } from './explanation-fidelity.js';
import { readSplits } from './lightgcn-split.js';
import { evaluateServed, importSplit, servedPath } from './served-evaluation.js';

const K = 20;
const PUBLISHED: Record<string, { model: string; recall: number; ndcg: number; source: string }[]> = {
  gowalla: [{ model: 'LightGCN, 3 layers (published)', recall: 0.183, ndcg: 0.1554, source: 'He et al., SIGIR 2020, Table 3' }],
};

interface PythonRow {
  model: string;
  recall: number;
  ndcg: number;
  epochs: number;
  keptEpoch?: number;
  trainingSeconds: number;
  secondsPerEpoch?: number;
  [key: string]: unknown;
}
interface PythonResults {
  dataset: string;
  counts: Record<string, number>;
  protocol: { description: string; known: string[]; test: string; seed: number; [key: string]: unknown };
  rows: PythonRow[];
}

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'data-dir': { type: 'string', default: '../shared/datasets' },
    work: { type: 'string', default: '.cache/eval' },
    models: { type: 'string' },
    epochs: { type: 'string', multiple: true, default: [] },
    'skip-training': { type: 'boolean', default: false },
    'fidelity-users': { type: 'string', default: '500' },
  },
});
const dataset = values.dataset;
if (dataset !== 'gowalla' && dataset !== 'lastfm') {
  console.error('usage: npm run eval -- --dataset gowalla|lastfm [--models gat,...] [--epochs gat=N] [--skip-training]');
  process.exit(2);
}
const work = values.work;
const dataDir = values['data-dir'];

if (!values['skip-training']) {
  const python = spawnSync(
    process.execPath,
    [
      'scripts/run-python.mjs', '-m', 'recograph_training.benchmark', '--dataset', dataset, '--data-dir', dataDir, '--work', work,
      ...(values.models ? ['--models', values.models] : []),
      ...values.epochs.flatMap((e) => ['--epochs', e]),
    ],
    { stdio: 'inherit' },
  );
  if (python.status !== 0) process.exit(python.status ?? 1);
}
const results = JSON.parse(readFileSync(join(work, dataset, 'results.json'), 'utf8')) as PythonResults;
const rows: Record<string, unknown>[] = results.rows.map((r) => ({ ...r, model: r.model === 'gat' ? 'gat (PyTorch)' : r.model, path: 'PyTorch' }));

let fidelity = null;
let served = null;
if (results.rows.some((r) => r.model === 'gat')) {
  const started = performance.now();
  const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-eval-')), 'store.sqlite'));
  const known = readSplits(results.protocol.known.map((f) => join(dataDir, dataset, f)));
  const test = readSplits([join(dataDir, dataset, results.protocol.test)]);
  const model = await loadModel(join(work, dataset, 'gat'), { executionProvider: 'cpu', logger: pino({ level: 'warn' }) });
  const imported = await importSplit(store, model.vocabulary.itemCount, known);
  const importSeconds = (performance.now() - started) / 1000;
  const path = await servedPath(store, model);
  const testUsers = new Map([...test].filter(([, items]) => items.length > 0));
  const evalStarted = performance.now();
  const metrics = await evaluateServed(path, testUsers, K);
  const evaluationSeconds = (performance.now() - evalStarted) / 1000;
  const gat = results.rows.find((r) => r.model === 'gat')!;
  rows.push({ ...gat, model: 'gat (served ONNX)', path: 'onnxruntime-node', ...metrics, history: undefined, evaluationSeconds: round(evaluationSeconds, 1) });
  served = { importedInteractions: imported, importSeconds: round(importSeconds, 1), evaluationSeconds: round(evaluationSeconds, 1), users: metrics.users, recallDifference: round(metrics.recall - gat.recall, 5), ndcgDifference: round(metrics.ndcg - gat.ndcg, 5) };

  const sampleSize = Number(values['fidelity-users']);
  const users = [...testUsers.keys()];
  const pick = new Set<string>();
  const random = new SeededRandom(results.protocol.seed);
  while (pick.size < Math.min(sampleSize, users.length)) pick.add(users[random.int(users.length)]!);
  fidelity = { users: pick.size, seed: results.protocol.seed, ...(await explanationFidelity(path, [...pick], results.protocol.seed)) };
  await model.close();
  await store.close();
}

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const published = PUBLISHED[dataset] ?? [];
const report = {
  dataset,
  createdAt: new Date().toISOString(),
  git: { commit, dirty },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  counts: results.counts,
  protocol: {
    ...results.protocol,
    servedPath:
      'GAT "served ONNX" row: the known splits imported into the embedded SqliteGraphStore (weight 1, time = position among the ' +
      "user's interactions), neighbourhoods from store.neighbourhoods at the model's fan-outs, candidate masks from CandidateMasks " +
      '(user\'s items excluded), tensors from assembleBatch, one onnxruntime-node run per 256 users, top 20 from readUserScores',
    fidelity:
      "for sampled test users, the top recommendation is re-scored without the hop-1 neighbour with the highest mean attention and without one other hop-1 neighbour drawn uniformly; faithful when the first removal lowers the score more",
  },
  rows,
  published,
  served,
  explanationFidelity: fidelity,
};
mkdirSync('bench/results', { recursive: true });
const out = join('bench/results', `accuracy-${dataset}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`\n${dataset}: ${results.protocol.description}`);
console.log(`Recall@${K} / NDCG@${K}: LightGCN's definitions, all-item ranking, each user's known items excluded, mean over ${results.counts.testUsers} test users\n`);
console.log(line(['model', `Recall@${K}`, `NDCG@${K}`, 'training time', 'epochs']));
console.log(line(['---', '---', '---', '---', '---']));
for (const r of rows as unknown as PythonRow[]) {
  const time = r.trainingSeconds ? `${(r.trainingSeconds / 60).toFixed(1)} min (${r.secondsPerEpoch} s/epoch)` : '-';
  const epochs = r.epochs ? `${r.epochs}${r.keptEpoch && r.keptEpoch !== r.epochs ? ` (kept ${r.keptEpoch})` : ''}` : '-';
  console.log(line([r.model, r.recall.toFixed(4), r.ndcg.toFixed(4), time, epochs]));
}
for (const p of published) console.log(line([p.model, p.recall.toFixed(4), p.ndcg.toFixed(4), 'published', '-']));
if (served) console.log(`\nserved vs PyTorch GAT: Recall@${K} ${served.recallDifference >= 0 ? '+' : ''}${served.recallDifference}, NDCG@${K} ${served.ndcgDifference >= 0 ? '+' : ''}${served.ndcgDifference}`);
if (fidelity) {
  console.log(
    `explanation fidelity: ${(fidelity.rate * 100).toFixed(1)}% of ${fidelity.cases} users (removing the top-attended neighbour lowers the top item's score ` +
      `by ${fidelity.meanDropTopAttended.toFixed(3)} on average, a random one by ${fidelity.meanDropRandom.toFixed(3)})`,
  );
}
console.log(`\nwrote ${out}${dirty ? ' (working tree has uncommitted changes)' : ''}`);

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
