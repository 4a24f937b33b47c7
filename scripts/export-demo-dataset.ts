/**
 * Writes the demo dataset as the CSV import format (`items.csv`, `interactions.csv`) that
 * training reads. Usage: npm run demo:export -- --out <dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoDataset } from '../src/graph/index.js';
import { INTERACTIONS_FILE, interactionsCsv, ITEMS_FILE, itemsCsv } from '../src/training/index.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: '.cache/demo-dataset' } } });
const out = values.out;
const dataset = generateDemoDataset();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, ITEMS_FILE), itemsCsv(dataset.items, true));
writeFileSync(join(out, INTERACTIONS_FILE), interactionsCsv(dataset.interactions, true));
console.log(`wrote ${dataset.items.length} items and ${dataset.interactions.length} interactions to ${out}`);
