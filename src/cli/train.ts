/**
 * Trains a model on the configured store (GRAPH_STORE, DATA_DIR, NEO4J_* as for the server) and
 * puts it in service in MODEL_DIR (docs/training.md):
 *
 *   npm run train -- --from-store [--epochs N] [--warm-start] [--reload]
 *   npm run train -- --from-store --out DIR      (only write the model to DIR; MODEL_DIR untouched)
 *
 * --warm-start continues MODEL_DIR's model on what happened since it was trained; --reload then
 * sends SIGHUP to the API processes of this host serving MODEL_DIR. With a text encoder
 * (TEXT_ENCODER_DIR) the model also gets a content map from its items' text. Exit status 1 on failure.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openGraphStore } from '../graph/index.js';
import { pino } from 'pino';
import { readCsvDataset } from '../graph/import/index.js';
import { exportStoreDataset, fitContentMap, installModel, INTERACTIONS_FILE, ITEMS_FILE, runTrainer, signalServingProcesses } from '../training/index.js';

const PAGE_SIZE = 5000;

const argsSchema = z
  .object({
    'from-store': z.literal(true, { message: 'is required (the store is the only source for now)' }),
    out: z.string().min(1).optional(),
    epochs: z.coerce.number().int().min(1).max(10_000).optional(),
    'warm-start': z.boolean().default(false),
    reload: z.boolean().default(false),
  })
  .refine((a) => !(a.reload && a.out !== undefined), { message: '--reload reloads MODEL_DIR, which --out leaves untouched', path: ['reload'] });

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'from-store': { type: 'boolean' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      'warm-start': { type: 'boolean' },
      reload: { type: 'boolean' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`train: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
    return 2;
  }
  const args = parsed.data;
  const config = loadConfig();
  // Beside MODEL_DIR, so the model is written aside on the same volume before it is swapped in.
  await mkdir(dirname(config.modelDir), { recursive: true });
  const work = await mkdtemp(join(dirname(config.modelDir), `.${basename(config.modelDir)}.train-`));
  try {
    const dataset = join(work, 'dataset');
    const store = await openGraphStore(config);
    const bar = new SingleBar({ format: 'exporting {phase}: {value} rows | {duration_formatted}' }, Presets.shades_classic);
    bar.start(0, 0, { phase: 'interactions' });
    const exported = await exportStoreDataset(store, dataset, {
      pageSize: PAGE_SIZE,
      onProgress: ({ phase, rows }) => bar.update(rows, { phase }),
    }).finally(async () => {
      bar.stop();
      await store.close();
    });
    console.log(`exported ${exported.interactions} interactions and ${exported.items} items from the ${config.graphStore} store`);
    if (exported.interactions === 0) {
      console.error('train: the store holds no interactions to train on');
      return 1;
    }
    const out = args.out === undefined ? join(work, 'model') : resolve(args.out);
    await runTrainer({
      dataset,
      out,
      epochs: args.epochs,
      warmStartFrom: args['warm-start'] ? config.modelDir : undefined,
      datasetName: `${config.graphStore}-store`,
    });
    if (config.textEncoderDir !== null) {
      const { items } = await readCsvDataset(join(dataset, INTERACTIONS_FILE), join(dataset, ITEMS_FILE));
      await fitContentMap(out, items, config.textEncoderDir, pino());
    }
    if (args.out !== undefined) {
      console.log(`wrote the model to ${out}; MODEL_DIR (${config.modelDir}) is untouched`);
      return 0;
    }
    const installed = await installModel(out, config.modelDir);
    console.log(
      `put model ${installed.version} in service in ${config.modelDir} (copied ${installed.copied.join(', ') || 'nothing'}` +
        `${installed.removed.length > 0 ? `; removed ${installed.removed.join(', ')}` : ''})`,
    );
    if (args.reload) {
      const signals = signalServingProcesses(config.modelDir);
      console.log(`sent SIGHUP to ${signals.signalled.length} API process(es)${signals.signalled.length > 0 ? ` (pid ${signals.signalled.join(', ')})` : ''}`);
      if (signals.stale.length > 0) console.log(`removed ${signals.stale.length} stale registration(s): ${signals.stale.join(', ')}`);
      if (signals.elsewhere.length > 0) console.log(`not signalled, on other hosts or containers (reload them there): ${signals.elsewhere.join(', ')}`);
    } else {
      console.log('the API processes load it on their next SIGHUP or restart (or run with --reload)');
    }
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`train failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
