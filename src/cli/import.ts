/**
 * Loads a dataset into the configured graph store (GRAPH_STORE, DATA_DIR, NEO4J_* as for the server).
 *
 *   npm run import -- --lightgcn ../shared/datasets/lastfm [--splits train,valid] [--type VIEW]
 *   npm run import -- --interactions interactions.csv [--items items.csv]
 *                     (items: itemId,title[,category,description,tags,available]; tags separated by |)
 *   npm run import -- --demo          (the bundled demo dataset, as the server seeds it)
 *   common: [--batch-size 5000] [--on-error skip|reject]
 *
 * Formats: docs/graph-model.md. Exit status 1 when the import was rejected or failed.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openGraphStore } from '../graph/index.js';
import { demoDataset, importDataset, INTERACTION_TYPES, ImportRejectedError, readCsvDataset, readLightGcnDataset, type BadRow } from '../graph/import/index.js';

const SHOWN_BAD_ROWS = 50;

const argsSchema = z
  .object({
    demo: z.boolean().default(false),
    lightgcn: z.string().optional(),
    splits: z.string().default('train').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    type: z.enum(INTERACTION_TYPES).default('VIEW'),
    interactions: z.string().optional(),
    items: z.string().optional(),
    'batch-size': z.coerce.number().int().min(1).max(50_000).default(5000),
    'on-error': z.enum(['skip', 'reject']).default('reject'),
  })
  .refine((a) => [a.demo || undefined, a.lightgcn, a.interactions].filter((s) => s !== undefined).length === 1, {
    message: 'give exactly one of --demo, --lightgcn <dir> or --interactions <file.csv>',
  });

function report(badRows: readonly BadRow[]): void {
  for (const row of badRows.slice(0, SHOWN_BAD_ROWS)) console.error(`${row.file}:${row.line}: ${row.message}`);
  if (badRows.length > SHOWN_BAD_ROWS) console.error(`… and ${badRows.length - SHOWN_BAD_ROWS} more bad row(s)`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      demo: { type: 'boolean' },
      lightgcn: { type: 'string' },
      splits: { type: 'string' },
      type: { type: 'string' },
      interactions: { type: 'string' },
      items: { type: 'string' },
      'batch-size': { type: 'string' },
      'on-error': { type: 'string' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`import: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
    return 2;
  }
  const args = parsed.data;
  const dataset = args.demo
    ? demoDataset()
    : args.lightgcn
      ? await readLightGcnDataset(args.lightgcn, args.splits, args.type)
      : await readCsvDataset(args.interactions!, args.items);

  const config = loadConfig();
  const store = await openGraphStore(config);
  const bar = new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left' }, Presets.shades_classic);
  try {
    const summary = await importDataset(store, dataset, {
      batchSize: args['batch-size'],
      onError: args['on-error'],
      onProgress: ({ written, total }) => (written === 0 ? bar.start(total, 0) : bar.update(written)),
    });
    bar.stop();
    if (summary.badRows.length > 0) {
      report(summary.badRows);
      console.error(`skipped ${summary.badRows.length} bad row(s)`);
    }
    const rows = summary.items + summary.interactions;
    console.log(
      `imported ${summary.items} items and ${summary.interactions} interactions (${summary.recorded} new) into the ${config.graphStore} store ` +
        `in ${summary.seconds.toFixed(1)} s: ${Math.round(rows / summary.seconds)} rows/s`,
    );
    return 0;
  } catch (error) {
    bar.stop();
    if (!(error instanceof ImportRejectedError)) throw error;
    report(error.badRows);
    console.error(`rejected: ${error.message} (use --on-error skip to import the good rows)`);
    return 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
