import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { itemText, loadTextEncoder } from '../content/index.js';
import type { NewItem } from '../graph/index.js';
import { runPython } from './python-trainer.js';

export interface FitContentMapOptions {
  /** Another ONNX file of the encoder to embed with (the fp32 benchmark); the map then records its hash. */
  readonly modelFile?: string;
  /** Fits the text-only map of format 1 (no category rows), for comparison; off by default. */
  readonly textOnly?: boolean;
}

/**
 * Gives the model in `modelDir` a content map (docs/content.md): embeds the text of its trained
 * items with the serving encoder, then fits the map from those embeddings and the items'
 * categories in Python (`recograph_training.content_map`), which adds it to the folder. False,
 * with the reason logged, when no encoder is there.
 */
export async function fitContentMap(
  modelDir: string,
  items: readonly NewItem[],
  encoderDir: string,
  logger: Pick<Logger, 'info' | 'warn'>,
  options: FitContentMapOptions = {},
): Promise<boolean> {
  const { modelFile, textOnly = false } = options;
  const encoder = await loadTextEncoder(encoderDir, { logger, ...(modelFile === undefined ? {} : { modelFile }) });
  if (encoder === null) return false;
  const work = await mkdtemp(join(tmpdir(), 'recograph-content-'));
  try {
    const trained = new Set((JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { items: string[] }).items);
    const known = items.filter((item) => trained.has(item.id));
    const vectors = await encoder.encode(known.map((item) => itemText(item)));
    const embeddings = new Float32Array(vectors.length * encoder.info.dimension);
    vectors.forEach((vector, row) => embeddings.set(vector, row * encoder.info.dimension));
    await writeFile(join(work, 'embeddings.f32'), embeddings);
    await writeFile(join(work, 'ids.json'), JSON.stringify(known.map((item) => item.id)));
    await writeFile(join(work, 'categories.json'), JSON.stringify(known.map((item) => item.category ?? null)));
    await runPython(
      ['-m', 'recograph_training.content_map', '--model', modelDir, '--embeddings', join(work, 'embeddings.f32'),
        '--ids', join(work, 'ids.json'), ...(textOnly ? [] : ['--categories', join(work, 'categories.json')]),
        '--encoder', join(encoderDir, 'encoder.json')],
      'fitting the content map',
    );
    return true;
  } finally {
    await encoder.close();
    await rm(work, { recursive: true, force: true });
  }
}
