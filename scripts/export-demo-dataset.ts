/**
 * Writes the demo dataset as the CSV import format (`items.csv`, `interactions.csv`) that
 * training reads. Usage: npm run demo:export -- --out <dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { generateDemoDataset } from '../src/graph/index.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: '.cache/demo-dataset' } } });
const out = values.out;
const dataset = generateDemoDataset();
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'items.csv'),
  stringify(dataset.items.map((i) => [i.id, i.title, i.category ?? '']), { header: true, columns: ['itemId', 'title', 'category'] }),
);
writeFileSync(
  join(out, 'interactions.csv'),
  stringify(
    dataset.interactions.map((i) => [i.userId, i.itemId, i.type, i.weight, i.occurredAt.toISOString()]),
    { header: true, columns: ['userId', 'itemId', 'type', 'weight', 'timestamp'] },
  ),
);
console.log(`wrote ${dataset.items.length} items and ${dataset.interactions.length} interactions to ${out}`);
