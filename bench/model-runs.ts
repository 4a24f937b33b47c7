/**
 * Times one onnxruntime session per model folder on the same synthetic batches, alternating the
 * folders so they see the same machine: B users × full fan-outs, with E explained ranks and the
 * top K asked for. For A/B work on the serving graph and on compressed folders (docs/model.md); the
 * server's own timings are in `npm run bench`. Each folder after the first also gets its time as a
 * ratio to the first's (below 1: faster), measured in the same rounds; wall time per run and, in
 * brackets, the process's CPU time per run (steadier on a shared machine), and how many of the
 * first folder's top K items it returns too (an int8 copy against its fp32 source: what its
 * shortlist keeps).
 *
 * Usage: npm run bench:model -- models/demo [other-model-folder ...]
 */
import * as ort from 'onnxruntime-node';
import { readModelFolder, type ModelFolder } from '../src/inference/index.js';
import { tableInputs } from '../src/inference/serving-tables.js';

const SHAPES = [
  { users: 1, explained: 10, k: 10 },
  { users: 1, explained: 0, k: 10 },
  { users: 25, explained: 0, k: 10 },
  { users: 50, explained: 0, k: 10 },
  { users: 50, explained: 10, k: 10 },
  { users: 50, explained: 0, k: 500 },
  // What the server asks for `recommendations(first: 10)`: first + POLICY_POOL + 5 withdrawn-item slack.
  { users: 1, explained: 10, k: 115 },
  { users: 50, explained: 10, k: 115 },
];
const RUNS = 30;
const ROUNDS = 3;

const folders = process.argv.slice(2);
if (folders.length === 0) throw new Error('usage: tsx bench/model-runs.ts MODEL_DIR [MODEL_DIR ...]');
const models = await Promise.all(folders.map((folder) => readModelFolder(folder)));

// The workers' settings: one thread per session (src/inference/session.ts).
const sessions = await Promise.all(
  models.map(({ onnx }) => ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' })),
);

/** A deterministic batch with every slot real (what a batch of long histories costs). */
function inputs({ metadata, tables }: ModelFolder, batch: number, explained: number, k: number): Record<string, ort.Tensor> {
  const [f1, f2] = metadata.fanouts;
  const items = metadata.items.length;
  const users = metadata.users.length;
  let seed = 1;
  const next = (bound: number) => BigInt((seed = (seed * 16807) % 2147483647) % bound);
  const ones = (length: number) => new Float32Array(length).fill(1);
  const tableFeeds = Object.entries(tableInputs(tables, items)).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, [...t.dims])]);
  return {
    ...Object.fromEntries(tableFeeds),
    hop1_items: new ort.Tensor('int64', BigInt64Array.from({ length: batch * f1 }, () => next(items)), [batch, f1]),
    hop1_weight: new ort.Tensor('float32', ones(batch * f1), [batch, f1]),
    hop1_mask: new ort.Tensor('float32', ones(batch * f1), [batch, f1]),
    hop2_users: new ort.Tensor('int64', BigInt64Array.from({ length: batch * f1 * f2 }, () => next(users)), [batch, f1, f2]),
    hop2_mask: new ort.Tensor('float32', ones(batch * f1 * f2), [batch, f1, f2]),
    score_bias: new ort.Tensor('float32', new Float32Array(batch * items), [batch, items]),
    top_k: new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.min(k, items))), [1]),
    explain_ranks: new ort.Tensor('int64', BigInt64Array.from({ length: explained }, (_, r) => BigInt(r)), [explained]),
  };
}

const rows = [];
for (const { users: batch, explained, k } of SHAPES) {
  const feeds = models.map((model) => inputs(model, batch, explained, k));
  const best = sessions.map(() => Infinity);
  const bestCpu = sessions.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [s, session] of sessions.entries()) {
      for (let i = 0; i < 5; i++) await session.run(feeds[s]!);
      const start = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < RUNS; i++) await session.run(feeds[s]!);
      const used = process.cpuUsage(cpu);
      best[s] = Math.min(best[s]!, (performance.now() - start) / RUNS);
      bestCpu[s] = Math.min(bestCpu[s]!, (used.user + used.system) / 1000 / RUNS);
    }
  }
  // On a shared machine wall time also measures the neighbours; the process's CPU time much less.
  const times = folders.map((folder, s) => [folder, `${best[s]!.toFixed(3)} ms (CPU ${bestCpu[s]!.toFixed(3)})`]);
  const ratios = folders.slice(1).map((folder, s) => [
    `${folder} / first`,
    `${(best[s + 1]! / best[0]!).toFixed(2)}× (CPU ${(bestCpu[s + 1]! / bestCpu[0]!).toFixed(2)}×)`,
  ]);
  const tops = await Promise.all(sessions.map(async (session, s) => (await session.run(feeds[s]!)).top_items!.data as BigInt64Array));
  const agreement = folders.slice(1).map((folder, s) => [`${folder}: first's top K kept`, `${(100 * sharedTop(tops[0]!, tops[s + 1]!, batch)).toFixed(1)} %`]);
  rows.push({ B: batch, E: explained, K: k, ...Object.fromEntries([...times, ...ratios, ...agreement]) });
}
console.table(rows);

/** The share of `first`'s top items (per batch row) that `other` also returns, over all rows. */
function sharedTop(first: BigInt64Array, other: BigInt64Array, batch: number): number {
  const k = first.length / batch;
  let shared = 0;
  for (let b = 0; b < batch; b++) {
    const theirs = new Set(first.subarray(b * k, (b + 1) * k));
    for (const item of other.subarray(b * k, (b + 1) * k)) if (theirs.has(item)) shared++;
  }
  return shared / first.length;
}
