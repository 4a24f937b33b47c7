/**
 * The item cold-start benchmark: `npm run bench:cold-start -- --dataset lastfm|gowalla [--k 1,3,10]`.
 * Trains in Python (recograph_training.cold_start: a base model without 10 % of the items, and per k
 * a model retrained with k interactions of each), then, per k, imports the base data and the given
 * interactions into the embedded store, lets `NewItems` estimate the held-out items for the base
 * model, and ranks for the held-out items' other users through the served path. Writes
 * bench/results/cold-start-<dataset>.json; the protocol is docs/model.md, "New items: measured".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { itemRecord, SqliteGraphStore } from '../../src/graph/index.js';
import { loadModel } from '../../src/inference/index.js';
import { NewItems, type RecommendationFilter } from '../../src/recommendations/index.js';
import { coldStartCase, popularityAmongNewItems, storedInteractions, type ColdStartSplitFile } from './cold-start-split.js';
import { readSplits, type UserItems } from './lightgcn-split.js';
import { evaluateServed, importInteractions, rankingMetrics, servedPath, type RankingMetrics, type ServedPath } from './served-evaluation.js';

const K = 20;
/** The held-out items' category in the store, so a request's filter can rank among them alone. */
const NEW_CATEGORY = 'held-out';
const AMONG_NEW: RecommendationFilter = { includeCategories: [NEW_CATEGORY] };

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    k: { type: 'string', default: '1,3,10' },
    'data-dir': { type: 'string', default: '../shared/datasets' },
    work: { type: 'string', default: '.cache/cold-start' },
    epochs: { type: 'string' },
    'skip-training': { type: 'boolean', default: false },
  },
});
const dataset = values.dataset;
const ks = values.k.split(',').map(Number);
if ((dataset !== 'gowalla' && dataset !== 'lastfm') || !ks.every((k) => Number.isInteger(k) && k > 0)) {
  console.error('usage: npm run bench:cold-start -- --dataset gowalla|lastfm [--k 1,3,10] [--epochs N] [--data-dir DIR] [--skip-training]');
  process.exit(2);
}
const work = join(values.work, dataset);
const dataDir = join(values['data-dir'], dataset);
const logger = pino({ level: 'warn' });

if (!values['skip-training']) {
  const python = spawnSync(
    process.execPath,
    [
      'scripts/run-python.mjs', '-m', 'recograph_training.cold_start', '--dataset', dataset, '--data-dir', values['data-dir'],
      '--work', values.work, '--k', ks.join(','), ...(values.epochs ? ['--epochs', values.epochs] : []),
    ],
    // Unbuffered, so that per-epoch lines reach a log file as they happen.
    { stdio: 'inherit', env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  if (python.status !== 0) process.exit(python.status ?? 1);
}
const split = JSON.parse(readFileSync(join(work, 'split.json'), 'utf8')) as ColdStartSplitFile;
const all = readSplits(split.files.map((f) => join(dataDir, f)));
const known = readSplits(split.known.map((f) => join(dataDir, f)));
const heldOut = new Set(split.heldOutItems);
const retrainedItems = (JSON.parse(readFileSync(join(work, `retrained-k${ks[0]}`, 'model.json'), 'utf8')) as { items: string[] }).items;
// The other items' interactions in the files the store does not hold: what the new rows may crowd out.
const others: UserItems = new Map(
  [...readSplits(split.files.filter((f) => !split.known.includes(f)).map((f) => join(dataDir, f)))]
    .map(([user, items]): [string, string[]] => [user, items.filter((item) => !heldOut.has(item))])
    .filter(([, items]) => items.length > 0),
);
const catalogue = retrainedItems.map((id) => itemRecord({ id, title: `item ${id}`, category: heldOut.has(id) ? NEW_CATEGORY : null }));

const cases: Awaited<ReturnType<typeof measure>>[] = [];
for (const k of ks) {
  cases.push(await measure(k));
  printCase(cases.at(-1)!);
}

/** One k: the store holding its given interactions, and every model ranked over its targets. */
async function measure(k: number) {
  const started = performance.now();
  const { given, targets, givenCount } = coldStartCase(split, k);
  const store = new SqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'recograph-cold-start-')), 'store.sqlite'));
  const imported = await importInteractions(store, catalogue, storedInteractions(all, known, heldOut, given));
  const heldOutRecords = catalogue.filter((item) => heldOut.has(item.id));

  const base = await loadModel(join(work, 'base'), { executionProvider: 'cpu', logger });
  const estimated = await servedPath(store, base);
  const otherItemsWithoutNew = await otherItems(estimated);
  const estimateStarted = performance.now();
  const newItems = new NewItems(store, base, null);
  await newItems.refresh(heldOutRecords);
  const estimateSeconds = (performance.now() - estimateStarted) / 1000;
  const served = newItems.currentCalibration();
  const calibration = served && {
    cosine: round(served.cosine, 4),
    sampleUsers: served.sampleUsers,
    estimates: served.estimates,
    targetInTop: round(served.targetInTop, 3),
    sampleNewItemsInTop: round(served.newItemsInTop, 3),
    seconds: round(served.seconds, 2),
  };
  // The path's candidates know the trained items; the estimated rows join them as a write would.
  estimated.candidates.update(heldOutRecords);
  const retrainedModel = await loadModel(join(work, `retrained-k${k}`), { executionProvider: 'cpu', logger });
  const retrained = await servedPath(store, retrainedModel);

  const users = [...targets.keys()];
  const popular = popularityAmongNewItems(givenCount, given, users, K, split.seed);
  const rows = [
    {
      model: 'served estimate (NewItems, base model)',
      amongNew: await evaluateServed(estimated, targets, K, { filter: AMONG_NEW }),
      catalogue: await evaluateServed(estimated, targets, K),
      otherItems: await otherItems(estimated),
    },
    {
      model: 'popularity among new items (given interactions)',
      amongNew: meanMetrics(users.map((u) => rankingMetrics(popular.get(u)!, new Set(targets.get(u)), K))),
      catalogue: null,
      otherItems: null,
    },
    {
      model: `retrained with the k = ${k} interactions`,
      amongNew: await evaluateServed(retrained, targets, K, { filter: AMONG_NEW }),
      catalogue: await evaluateServed(retrained, targets, K),
      otherItems: await otherItems(retrained),
    },
  ];
  const targetItems = new Set([...targets.values()].flat());
  const result = {
    k,
    givenInteractions: [...given.values()].flat().length,
    targetInteractions: [...targets.values()].flat().length,
    targetUsers: users.length,
    targetItems: targetItems.size,
    importedInteractions: imported,
    estimateSeconds: round(estimateSeconds, 1),
    calibration,
    seconds: round((performance.now() - started) / 1000, 1),
    estimateOverRetrainedRecall: round(rows[0]!.amongNew.recall / rows[2]!.amongNew.recall, 3),
    otherItemsWithoutNew,
    rows,
  };
  await Promise.all([base.close(), retrainedModel.close()]);
  await store.close();
  return result;
}

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const report = {
  dataset,
  createdAt: new Date().toISOString(),
  git: { commit, dirty },
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  protocol: {
    heldOut: `${split.heldOutItems.length} items (${split.heldOutFraction * 100} % of the catalogue, uniformly at random, numpy seed [${split.seed}, 0]) left out of the base model's training entirely`,
    baseModel: `the accuracy benchmark's GAT recipe on ${split.fit.join(' + ')} without any interaction of the held-out items${split.select ? `, epoch kept by NDCG@${K} on ${split.select} without them` : ', last epoch kept'}`,
    given: `each held-out item is given k of its interactions in ${split.files.join(' + ')} (one random order per item, numpy seed [${split.seed}, 1], so the k = 1 interaction is among the k = 3 ones); items with k or fewer interactions are given all and have no targets`,
    servingStore: `the embedded SqliteGraphStore holds the other items' interactions in ${split.known.join(' + ')} and the given ones, weight 1, time = position in the user's lines across ${split.files.join(', ')} (as training reads them)`,
    targets: "a held-out item's interactions beyond the given ones; each target user is ranked once for all their target items",
    estimate: 'the base model with NewItems.refresh over the held-out items (no content vectors): each row the normalised weighted mean of its given users\' h_u, each computed without the item, at the trained rows\' median norm; its component along the users\' common direction set to one cosine for all estimates, chosen by bisection so that on the store\'s first 256 users the estimates take their catalogue share of a top 20 (calibration: the cosine, the target and reached mean new items per sample top 20, its time)',
    popularity: 'held-out items ordered by their given interactions, ties broken by one seeded random order (at a given k every item with more than k interactions has exactly k: among the items that have targets this is a random order)',
    retrained: 'the same recipe on the base data plus the given interactions (every item trained), served from the same store',
    otherItems: `the other items' interactions in ${split.files.filter((f) => !split.known.includes(f)).join(' + ')} (not in the store), ranked over the catalogue: what the new rows cost the rest of the recommendations; newItemsInTop = held-out items in a user's top ${K}, mean over those users; otherItemsWithoutNew = the base model before any estimate (held-out items not recommendable)`,
    candidates: `amongNew: the held-out items only (a request filtered to their category), without those the user was given; catalogue: every item, without the user's stored interactions`,
    metrics: `Recall@${K} and NDCG@${K} (LightGCN's definitions) over each target user's target items, mean over target users`,
  },
  recipe: split.recipe,
  models: split.models.map((m) => ({ ...m, history: undefined })),
  cases,
};
mkdirSync('bench/results', { recursive: true });
const out = join('bench/results', `cold-start-${dataset}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${out}${dirty ? ' (working tree has uncommitted changes)' : ''}`);

/** The catalogue ranked for the other items' test interactions, and how many of each top K are new items. */
async function otherItems(path: ServedPath): Promise<RankingMetrics & { newItemsInTop: number }> {
  let newInTop = 0;
  const metrics = await evaluateServed(path, others, K, {
    onRanked: (_, ranked) => (newInTop += ranked.filter((item) => heldOut.has(item)).length),
  });
  return { ...metrics, newItemsInTop: round(newInTop / metrics.users, 2) };
}

function meanMetrics(each: readonly { recall: number; ndcg: number }[]): RankingMetrics {
  const sum = (f: (m: { recall: number; ndcg: number }) => number) => each.reduce((s, m) => s + f(m), 0) / each.length;
  return { recall: sum((m) => m.recall), ndcg: sum((m) => m.ndcg), users: each.length };
}

function printCase(c: (typeof cases)[number]): void {
  console.log(`\n${dataset}, k = ${c.k}: ${c.targetUsers} target users, ${c.targetItems} target items, ${c.targetInteractions} target interactions (${c.seconds} s)`);
  console.log(`| model | Recall@${K} among new | NDCG@${K} among new | Recall@${K} catalogue | NDCG@${K} catalogue |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of c.rows) {
    const cells = [r.amongNew.recall, r.amongNew.ndcg, r.catalogue?.recall, r.catalogue?.ndcg].map((x) => (x === undefined ? '–' : x.toFixed(4)));
    console.log(`| ${r.model} | ${cells.join(' | ')} |`);
  }
  console.log(`estimate / retrained Recall@${K} among new items: ${c.estimateOverRetrainedRecall}`);
  if (c.calibration) {
    const { cosine, targetInTop, sampleNewItemsInTop, sampleUsers, seconds } = c.calibration;
    console.log(`calibration: cosine ${cosine}, new items per top ${K} on ${sampleUsers} sample users ${sampleNewItemsInTop} (target ${targetInTop}), ${seconds} s of the ${c.estimateSeconds} s refresh`);
  }
  const other = (m: { recall: number; ndcg: number; newItemsInTop?: number }) =>
    `${m.recall.toFixed(4)} / ${m.ndcg.toFixed(4)}${m.newItemsInTop === undefined ? '' : `, ${m.newItemsInTop} new items in the top ${K}`}`;
  console.log(
    `other items' test Recall@${K} / NDCG@${K} over the catalogue: base without estimates ${other(c.otherItemsWithoutNew)}; ` +
      `with them ${other(c.rows[0]!.otherItems!)}; retrained ${other(c.rows[2]!.otherItems!)}`,
  );
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
