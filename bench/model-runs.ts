/**
 * Times one onnxruntime session per model file on the same synthetic batches, alternating the
 * files so they see the same machine: B users × full fan-outs, with E explained ranks. For A/B
 * work on the serving graph (docs/model.md); the server's own timings are in `npm run bench`.
 *
 * Usage: npm run bench:model -- models/demo/model.onnx [other.onnx ...]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseModelMetadata } from '../src/inference/model-contract.js';

const SHAPES = [
  { users: 1, explained: 10 },
  { users: 1, explained: 0 },
  { users: 25, explained: 0 },
  { users: 50, explained: 0 },
  { users: 50, explained: 10 },
];
const RUNS = 30;
const ROUNDS = 3;

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: tsx bench/model-runs.ts MODEL.onnx [MODEL.onnx ...]');
const metadataPath = join(dirname(files[0]!), 'model.json');
const metadata = parseModelMetadata(JSON.parse(readFileSync(metadataPath, 'utf8')), metadataPath);
const [f1, f2] = metadata.fanouts as [number, number];
const items = metadata.items.length;
const users = metadata.users.length;

// The workers' settings: one thread per session (src/inference/session.ts).
const sessions = await Promise.all(
  files.map((file) => ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' })),
);

/** A deterministic batch with every slot real (what a batch of long histories costs). */
function inputs(batch: number, explained: number): Record<string, ort.Tensor> {
  let seed = 1;
  const next = (bound: number) => BigInt((seed = (seed * 16807) % 2147483647) % bound);
  const ones = (length: number) => new Float32Array(length).fill(1);
  return {
    hop1_items: new ort.Tensor('int64', BigInt64Array.from({ length: batch * f1 }, () => next(items)), [batch, f1]),
    hop1_weight: new ort.Tensor('float32', ones(batch * f1), [batch, f1]),
    hop1_mask: new ort.Tensor('float32', ones(batch * f1), [batch, f1]),
    hop2_users: new ort.Tensor('int64', BigInt64Array.from({ length: batch * f1 * f2 }, () => next(users)), [batch, f1, f2]),
    hop2_mask: new ort.Tensor('float32', ones(batch * f1 * f2), [batch, f1, f2]),
    candidate_mask: new ort.Tensor('float32', ones(batch * items), [batch, items]),
    explain_ranks: new ort.Tensor('int64', BigInt64Array.from({ length: explained }, (_, r) => BigInt(r)), [explained]),
  };
}

const rows = [];
for (const { users: batch, explained } of SHAPES) {
  const feeds = inputs(batch, explained);
  const best = sessions.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [s, session] of sessions.entries()) {
      for (let i = 0; i < 5; i++) await session.run(feeds);
      const start = performance.now();
      for (let i = 0; i < RUNS; i++) await session.run(feeds);
      best[s] = Math.min(best[s]!, (performance.now() - start) / RUNS);
    }
  }
  rows.push({ B: batch, E: explained, ...Object.fromEntries(files.map((file, s) => [file, `${best[s]!.toFixed(3)} ms`])) });
}
console.table(rows);
