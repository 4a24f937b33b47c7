/**
 * Gives an existing model folder a content map from its items' text (docs/content.md): the items
 * of the configured store (GRAPH_STORE, DATA_DIR, NEO4J_* as for the server), or with --demo those
 * of the generated demo data. `npm run train` fits one itself; this is for models trained without.
 *
 *   npm run content:fit -- --model models/demo --demo
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { generateDemoDataset, openGraphStore, type ItemRecord } from '../src/graph/index.js';
import { fitContentMap } from '../src/training/index.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, demo: { type: 'boolean', default: false } } });
if (!values.model) {
  console.error('usage: npm run content:fit -- --model DIR [--demo]');
  process.exit(2);
}
const config = loadConfig();
if (config.textEncoderDir === null) {
  console.error('content:fit: TEXT_ENCODER_DIR is empty');
  process.exit(2);
}
const items = values.demo ? generateDemoDataset().items : await storeItems();
const fitted = await fitContentMap(resolve(values.model), items, config.textEncoderDir, pino());
process.exit(fitted ? 0 : 1);

async function storeItems(): Promise<ItemRecord[]> {
  const store = await openGraphStore(config);
  try {
    const items: ItemRecord[] = [];
    for (let afterId: string | null = null; ; ) {
      const page = await store.listItems({ first: 1000, afterId });
      items.push(...page.records);
      if (!page.hasNextPage || page.records.length === 0) return items;
      afterId = page.records.at(-1)!.id;
    }
  } finally {
    await store.close();
  }
}
