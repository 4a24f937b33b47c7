/**
 * The accuracy benchmark: `npm run eval -- --dataset gowalla|lastfm [--protocol lightgcnpp]`. Trains
 * (or resumes and loads) every model in Python, then evaluates the exported GAT through the served
 * path (embedded store sampling → tensor assembly → onnxruntime-node), measures explanation fidelity
 * and concentration, prints the table and writes bench/results/accuracy-<dataset>[-<protocol>].json.
 * `--model DIR` measures an exported GAT folder as it is, without training (served rows only).
 * `--gat-option KEY=VALUE` (repeatable) overrides one setting of the GAT recipe (benchmark.py's).
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
import { explanationConcentration } from './explanation-concentration.js';
import { explanationFidelity } from './explanation-fidelity.js';
import { readSplits } from './lightgcn-split.js';
import { evaluateServed, importSplit, servedPath } from './served-evaluation.js';

const K = 20;
const LIGHTGCNPP = 'Lee et al., "Revisiting LightGCN", RecSys 2024 (geon0325/LightGCNpp), LastFM Recall@20';
/** Published rows, by dataset and protocol (`<dataset>` or `<dataset>-<protocol>`); ndcg null where we hold no source for it. */
const PUBLISHED: Record<string, { model: string; recall: number; ndcg: number | null; source: string }[]> = {
  gowalla: [{ model: 'LightGCN, 3 layers (published)', recall: 0.183, ndcg: 0.1554, source: 'He et al., SIGIR 2020, Table 3' }],
  'lastfm-lightgcnpp': [
    { model: 'LightGCN (published, LightGCN++ paper)', recall: 0.2523, ndcg: null, source: LIGHTGCNPP },
    { model: 'LightGCN++ (published)', recall: 0.2715, ndcg: null, source: LIGHTGCNPP },
    { model: 'XSimGCL++ (published, LightGCN++ paper)', recall: 0.2738, ndcg: null, source: LIGHTGCNPP },
  ],
};
/** Other protocols than a dataset's own, by name: the datasets each is defined for (training/recograph_training/benchmark.py). */
const PROTOCOLS: Record<string, readonly string[]> = { lightgcnpp: ['lastfm'] };

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
  protocol: { name: string; description: string; known: string[]; test: string; seed: number; [key: string]: unknown };
  rows: PythonRow[];
}

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'data-dir': { type: 'string', default: '../shared/datasets' },
    work: { type: 'string', default: '.cache/eval' },
    models: { type: 'string' },
    epochs: { type: 'string', multiple: true, default: [] },
    'gat-option': { type: 'string', multiple: true, default: [] },
    'skip-training': { type: 'boolean', default: false },
    'fidelity-users': { type: 'string', default: '500' },
    protocol: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
  },
});
const dataset = values.dataset;
const usage =
  'usage: npm run eval -- --dataset gowalla|lastfm [--protocol lightgcnpp] [--models gat,...] [--epochs gat=N] [--gat-option KEY=VALUE] [--skip-training] ' +
  '[--model DIR] [--fidelity-users N] [--out FILE]';
if (dataset !== 'gowalla' && dataset !== 'lastfm') {
  console.error(usage);
  process.exit(2);
}
const protocolName = values.protocol ?? null;
if (protocolName !== null && !PROTOCOLS[protocolName]?.includes(dataset)) {
  console.error(`--protocol ${protocolName} is not defined for ${dataset} (defined: ${Object.entries(PROTOCOLS).map(([n, d]) => `${n}: ${d.join(', ')}`).join('; ')})\n${usage}`);
  process.exit(2);
}
const suffix = protocolName ? `-${protocolName}` : '';
const work = values.work;
const dataDir = values['data-dir'];
const python = (extra: readonly string[], capture: boolean) =>
  spawnSync(
    process.execPath,
    ['scripts/run-python.mjs', '-m', 'recograph_training.benchmark', '--dataset', dataset, '--data-dir', dataDir, '--work', work,
      ...(protocolName ? ['--protocol', protocolName] : []), ...extra],
    capture ? { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] } : { stdio: 'inherit' },
  );

// --model DIR serves that folder as it is: nothing is trained, and the PyTorch rows (which belong to
// whichever run trained it) are not reported; the protocol is the one Python would have recorded.
const modelDir = values.model ?? join(work, dataset, `gat${suffix}`);
if (!values['skip-training'] && !values.model) {
  const trained = python(
    [
      ...(values.models ? ['--models', values.models] : []),
      ...values.epochs.flatMap((e) => ['--epochs', e]),
      ...values['gat-option'].flatMap((o) => ['--gat-option', o]),
    ],
    false,
  );
  if (trained.status !== 0) process.exit(trained.status ?? 1);
}
const results: PythonResults = values.model ? describedResults() : (JSON.parse(readFileSync(join(work, dataset, `results${suffix}.json`), 'utf8')) as PythonResults);
const rows: Record<string, unknown>[] = results.rows.map((r) => ({ ...r, model: r.model === 'gat' ? 'gat (PyTorch)' : r.model, path: 'PyTorch' }));

function describedResults(): PythonResults {
  const described = python(['--describe'], true);
  if (described.status !== 0) process.exit(described.status ?? 1);
  const protocol = JSON.parse(String(described.stdout)) as PythonResults['protocol'];
  const test = readSplits([join(dataDir, dataset!, protocol.test)]);
  const known = readSplits(protocol.known.map((f) => join(dataDir, dataset!, f)));
  const count = (split: Map<string, string[]>) => [...split.values()].reduce((n, items) => n + items.length, 0);
  return {
    dataset: dataset!,
    counts: { knownEdges: count(known), testEdges: count(test), testUsers: [...test.values()].filter((items) => items.length > 0).length },
    protocol,
    rows: [],
  };
}

let fidelity = null;
let concentration = null;
let served = null;
let servedModel = null;
if (values.model || results.rows.some((r) => r.model === 'gat')) {
  const started = performance.now();
  const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-eval-')), 'store.sqlite'));
  const known = readSplits(results.protocol.known.map((f) => join(dataDir, dataset, f)));
  const test = readSplits([join(dataDir, dataset, results.protocol.test)]);
  const model = await loadModel(modelDir, { executionProvider: 'cpu', logger: pino({ level: 'warn' }) });
  const metadata = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { version: string; training?: { protocol?: string; epochs?: number; bestEpoch?: number } };
  servedModel = { directory: modelDir, version: metadata.version, trainedUnder: metadata.training?.protocol ?? null, epochs: metadata.training?.epochs ?? null, keptEpoch: metadata.training?.bestEpoch ?? null };
  const imported = await importSplit(store, model.vocabulary.itemCount, known);
  const importSeconds = (performance.now() - started) / 1000;
  const path = await servedPath(store, model);
  const testUsers = new Map([...test].filter(([, items]) => items.length > 0));
  const evalStarted = performance.now();
  const metrics = await evaluateServed(path, testUsers, K);
  const evaluationSeconds = (performance.now() - evalStarted) / 1000;
  const gat = results.rows.find((r) => r.model === 'gat');
  rows.push({
    ...(gat ?? { epochs: servedModel.epochs, keptEpoch: servedModel.keptEpoch }),
    model: 'gat (served ONNX)',
    path: 'onnxruntime-node',
    ...metrics,
    history: undefined,
    evaluationSeconds: round(evaluationSeconds, 1),
  });
  served = {
    importedInteractions: imported,
    importSeconds: round(importSeconds, 1),
    evaluationSeconds: round(evaluationSeconds, 1),
    users: metrics.users,
    recallDifference: gat ? round(metrics.recall - gat.recall, 5) : null,
    ndcgDifference: gat ? round(metrics.ndcg - gat.ndcg, 5) : null,
  };

  const sampleSize = Number(values['fidelity-users']);
  const users = [...testUsers.keys()];
  const pick = new Set<string>();
  const random = new SeededRandom(results.protocol.seed);
  while (pick.size < Math.min(sampleSize, users.length)) pick.add(users[random.int(users.length)]!);
  let measured = performance.now();
  fidelity = { users: pick.size, seed: results.protocol.seed, ...(await explanationFidelity(path, [...pick], results.protocol.seed)), seconds: 0 };
  fidelity.seconds = round((performance.now() - measured) / 1000, 1);
  measured = performance.now();
  concentration = { users: pick.size, seed: results.protocol.seed, ...(await explanationConcentration(path, [...pick], results.protocol.seed, { explainedRanks: K })), seconds: 0 };
  concentration.seconds = round((performance.now() - measured) / 1000, 1);
  await model.close();
  await store.close();
}

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const published = PUBLISHED[`${dataset}${suffix}`] ?? [];
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
    concentration:
      `for the same sampled users, through the served model: top1Share / top3Share = the largest 1 / 3 absolute hop-1 contributions over the sum of absolute hop-1 contributions, mean over every (user, item) pair of the user's top ${K}; ` +
      "attentionEntropy = entropy of the layer-2 attention (mean over heads) over the user's hop-1 neighbours divided by log(number of neighbours), mean over users with 2 or more; " +
      "deletion = the top item re-scored (only it a candidate) after removing the k = 1..5 most attended hop-1 neighbours and after removing k drawn uniformly (the first k of one seeded permutation per user), for users with at least 6 neighbours and a positive score; " +
      'curves = mean relative score drop (s - s_k) / s; area = sum over k = 1..5 of (attended - random), unit steps',
  },
  servedModel,
  rows,
  published,
  served,
  explanationFidelity: fidelity,
  explanationConcentration: concentration,
};
mkdirSync('bench/results', { recursive: true });
const out = values.out ?? join('bench/results', `accuracy-${dataset}${suffix}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`\n${dataset}: ${results.protocol.description}`);
console.log(
  `Recall@${K} / NDCG@${K}: LightGCN's definitions, all-item ranking, each user's ${results.protocol.known.join(' + ')} items excluded, mean over ${results.counts.testUsers} test users` +
    (servedModel ? `\nserved model: ${servedModel.directory} (${servedModel.version})` : '') +
    '\n',
);
console.log(line(['model', `Recall@${K}`, `NDCG@${K}`, 'training time', 'epochs']));
console.log(line(['---', '---', '---', '---', '---']));
for (const r of rows as unknown as PythonRow[]) {
  const time = r.trainingSeconds ? `${(r.trainingSeconds / 60).toFixed(1)} min (${r.secondsPerEpoch} s/epoch)` : '-';
  const epochs = r.epochs ? `${r.epochs}${r.keptEpoch && r.keptEpoch !== r.epochs ? ` (kept ${r.keptEpoch})` : ''}` : '-';
  console.log(line([r.model, r.recall.toFixed(4), r.ndcg.toFixed(4), time, epochs]));
}
for (const p of published) console.log(line([p.model, p.recall.toFixed(4), p.ndcg?.toFixed(4) ?? 'n/a', 'published', '-']));
if (served?.recallDifference != null && served.ndcgDifference != null) console.log(`\nserved vs PyTorch GAT: Recall@${K} ${served.recallDifference >= 0 ? '+' : ''}${served.recallDifference}, NDCG@${K} ${served.ndcgDifference >= 0 ? '+' : ''}${served.ndcgDifference}`);
if (fidelity) {
  console.log(
    `explanation fidelity: ${(fidelity.rate * 100).toFixed(1)}% of ${fidelity.cases} users (removing the top-attended neighbour lowers the top item's score ` +
      `by ${fidelity.meanDropTopAttended.toFixed(3)} on average, a random one by ${fidelity.meanDropRandom.toFixed(3)})`,
  );
}
if (concentration) {
  const d = concentration.deletion;
  const curve = (values: readonly number[]) => values.map((v) => v.toFixed(3)).join(' ');
  console.log(
    `explanation concentration (${concentration.users} users, top ${K} each): top-1 share ${concentration.top1Share.toFixed(3)}, top-3 share ${concentration.top3Share.toFixed(3)} ` +
      `(median ${concentration.medianTop3Share.toFixed(3)}), normalised attention entropy ${concentration.attentionEntropy.toFixed(4)} over ${concentration.meanNeighbours.toFixed(1)} neighbours on average\n` +
      `deletion curve (${d.users} users, relative drop of the top item's score, k = 1..5): most attended ${curve(d.topAttended)}, random ${curve(d.random)}, area between ${d.area.toFixed(3)}`,
  );
}
console.log(`\nwrote ${out}${dirty ? ' (working tree has uncommitted changes)' : ''}`);

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
