/**
 * What the text encoder costs per item: fp32 against the shipped int8 model, at batch 1 and 64, on
 * the demo catalogue's item texts (short: title and category) and on the same items with a
 * 20-title description (long), each session single-threaded as in serving. Also how far int8
 * moves an embedding from fp32, and how far batching moves an int8 one (dynamic quantization
 * scales activations per run). CPU time beside wall time, since on a shared machine the wall
 * time mostly measures the neighbours. fp32 needs the export's .cache copy (tools/text-encoder/README.md);
 * without it that half is skipped.
 *
 * Usage: npm run bench:encoder   (writes bench/results/encoder.json)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { itemText, loadTextEncoder, type TextEncoder } from '../src/content/index.js';
import { generateDemoDataset } from '../src/graph/demo/demo-dataset.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ENCODER_DIR = join(ROOT, 'models/text-encoder');
const FP32 = join(ROOT, '.cache/text-encoder/model-fp32.onnx');
const ITEMS = 256;
const BATCHES = [1, 64] as const;
const ROUNDS = 3;

const items = generateDemoDataset().items.slice(0, ITEMS * 4).filter((_, i) => i % 4 === 0);
const texts = {
  short: items.map((item) => itemText(item)),
  long: items.map((item, i) =>
    itemText({ ...item, description: Array.from({ length: 20 }, (_, k) => items[(i * 7 + k * 13) % items.length]!.title).join(', ') }),
  ),
};

const silent = { info: () => {}, warn: () => {} };
async function open(model: 'fp32' | 'int8', batchSize: number): Promise<TextEncoder> {
  const encoder = await loadTextEncoder(ENCODER_DIR, { logger: silent, batchSize, ...(model === 'fp32' ? { modelFile: FP32 } : {}) });
  if (encoder === null) throw new Error(`no text encoder in ${ENCODER_DIR}`);
  return encoder;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const meanCosine = (a: Float32Array[], b: Float32Array[]) => a.reduce((sum, v, i) => sum + dot(v, b[i]!), 0) / a.length;

const models = existsSync(FP32) ? (['fp32', 'int8'] as const) : (['int8'] as const);
if (models.length === 1) console.log(`fp32 skipped: ${FP32} not found (run tools/text-encoder/export.py)`);

const rows: Record<string, string | number>[] = [];
const vectors = new Map<string, Float32Array[]>();
for (const [set, list] of Object.entries(texts)) {
  for (const batch of BATCHES) {
    for (const model of models) {
      const encoder = await open(model, batch);
      let wall = Infinity;
      let cpu = Infinity;
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        const used = process.cpuUsage();
        vectors.set(`${set}/${model}/${batch}`, await encoder.encode(list));
        const { user, system } = process.cpuUsage(used);
        wall = Math.min(wall, (performance.now() - start) / list.length);
        cpu = Math.min(cpu, (user + system) / 1000 / list.length);
      }
      await encoder.close();
      rows.push({ texts: set, model, batch, 'ms per item': Number(wall.toFixed(3)), 'CPU ms per item': Number(cpu.toFixed(3)) });
    }
  }
}

const quality = Object.keys(texts).map((set) => ({
  texts: set,
  'int8 vs fp32 (batch 1)': vectors.has(`${set}/fp32/1`) ? Number(meanCosine(vectors.get(`${set}/int8/1`)!, vectors.get(`${set}/fp32/1`)!).toFixed(5)) : 'skipped',
  'int8 batch 64 vs batch 1': Number(meanCosine(vectors.get(`${set}/int8/64`)!, vectors.get(`${set}/int8/1`)!).toFixed(5)),
}));

console.table(rows);
console.log('mean cosine');
console.table(quality);
const result = {
  measuredAt: new Date().toISOString(),
  // The machine is shared: the load average says how much else ran beside the bench.
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
  items: ITEMS,
  rounds: `best of ${ROUNDS}`,
  fp32: models.length === 2 ? FP32.replace(ROOT, '') : 'skipped (no .cache copy)',
  timings: rows,
  meanCosine: quality,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/encoder.json'), `${JSON.stringify(result, null, 2)}\n`);
