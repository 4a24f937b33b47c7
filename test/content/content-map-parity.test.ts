import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { mappedContent } from '../../src/content/index.js';
import { loadModel } from '../../src/inference/index.js';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy) console.warn(`SKIPPED content-map parity: ${python} cannot import numpy`);

/** The Python fit's own `apply_map` on the bundled demo model's map, for these embeddings and categories. */
const PYTHON_APPLY = `
import json, sys
import numpy as np
sys.path.insert(0, "training")
from recograph_training.content_map import MapRows, apply_map
request = json.load(sys.stdin)
content = json.load(open("models/demo/model.json"))["content"]["map"]
d = json.load(open("models/demo/model.json"))["embeddingDim"]
weights = np.fromfile("models/demo/" + content["file"], dtype="<f4").reshape(-1, d)
rows = MapRows(tuple(content["categories"]), tuple(content["categoryText"]))
x = np.array(request["embeddings"], dtype=np.float32)
print(json.dumps(apply_map(weights, rows, x, request["categories"]).tolist()))
`;

describe.runIf(hasNumpy)('the content map, served against the fit', () => {
  it('maps an item as the Python fit does, for every category, one the map does not know, and none', async () => {
    const model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
    try {
      const map = model.contentMap!;
      const categories = [...map.categories, 'Not a category', null];
      let seed = 7;
      const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const embeddings = categories.map(() => {
        const e = Float32Array.from({ length: map.inputDim }, next);
        const norm = Math.hypot(...e);
        return e.map((v) => v / norm);
      });
      const run = spawnSync(python, ['-c', PYTHON_APPLY], {
        input: JSON.stringify({ embeddings: embeddings.map((e) => [...e]), categories }),
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      const expected = JSON.parse(run.stdout) as number[][];
      categories.forEach((category, i) => {
        const served = mappedContent(map, embeddings[i]!, category, model.metadata.embeddingDim);
        served.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5));
      });
      // The category changes the row: the parity is not that of e·W + b alone.
      const plain = mappedContent(map, embeddings[0]!, null, model.metadata.embeddingDim);
      expect(Math.max(...plain.map((v, j) => Math.abs(v - expected[0]![j]!)))).toBeGreaterThan(0.05);
    } finally {
      await model.close();
    }
  });
});
