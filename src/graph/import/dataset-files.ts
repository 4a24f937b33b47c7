import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { INTERACTION_WEIGHT_RANGE, isInteractionWeight, MAX_ID_LENGTH, resolveInteractionWeight } from '../interaction-weights.js';
import { itemFieldProblem } from '../item-fields.js';
import { generateDemoDataset, type DemoDataset } from '../demo/demo-dataset.js';
import type { InteractionType, NewInteraction, NewItem } from '../store.js';

/** A row that cannot be imported, where it is and why. */
export interface BadRow {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface SourcedInteraction {
  readonly file: string;
  readonly line: number;
  readonly interaction: NewInteraction;
}

/** A dataset read from files, not yet checked against the store. */
export interface DatasetFiles {
  readonly items: readonly NewItem[];
  readonly interactions: readonly SourcedInteraction[];
  readonly badRows: readonly BadRow[];
}

export const INTERACTION_TYPES = ['VIEW', 'CLICK', 'CHECK_IN', 'LIKE', 'ADD_TO_CART', 'PURCHASE'] as const satisfies readonly InteractionType[];

const idField = z.string().trim().min(1, 'is empty').max(MAX_ID_LENGTH, `is longer than ${MAX_ID_LENGTH} characters`);
const optional = (text: unknown) => (text === '' || text === undefined ? undefined : text);

const interactionRow = z.object({
  id: z.preprocess(optional, idField.optional()),
  userId: idField,
  itemId: idField,
  type: z.preprocess(optional, z.enum(INTERACTION_TYPES).default('VIEW')),
  weight: z.preprocess(
    optional,
    z.coerce.number().refine(isInteractionWeight, {
      message: `must be a number in ${INTERACTION_WEIGHT_RANGE}`,
    }).optional(),
  ),
  timestamp: z.string().trim().refine((t) => !Number.isNaN(Date.parse(t)), { message: 'is not an ISO-8601 date-time' }),
});

const trimmed = (text: unknown) => optional(typeof text === 'string' ? text.trim() : text);

/** The separator of tags within the `tags` column. */
const TAG_SEPARATOR = '|';

const itemRow = z.object({
  itemId: idField,
  title: z.string().trim().min(1, 'is empty'),
  category: z.preprocess(trimmed, z.string().optional()),
  description: z.preprocess(trimmed, z.string().optional()),
  tags: z.preprocess(trimmed, z.string().transform((t) => t.split(TAG_SEPARATOR).map((tag) => tag.trim())).optional()),
  available: z.preprocess(
    (a) => trimmed(typeof a === 'string' ? a.toLowerCase() : a),
    z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }).transform((a) => a === 'true' || a === '1').optional(),
  ),
});

/** An items file's row as an item, or what is wrong with it (the same field rules as the API's). */
function toItem(record: Record<string, string>): NewItem | string {
  const parsed = itemRow.safeParse(record);
  if (!parsed.success) return describeIssues(parsed.error);
  const { itemId, ...fields } = parsed.data;
  const problem = itemFieldProblem(fields);
  return problem === null ? { id: itemId, ...fields } : `${problem.field} ${problem.rule}`;
}

const describeIssues = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || 'row'} ${issue.message}`).join('; ');

/** An interaction without an id gets one derived from its content, so a re-import records nothing twice. */
function contentKey(interaction: Omit<NewInteraction, 'id'>): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([interaction.userId, interaction.itemId, interaction.type, interaction.weight, interaction.occurredAt.getTime()]))
    .digest('base64url');
  return `import:${digest.slice(0, 32)}`;
}

async function* csvRecords(path: string): AsyncGenerator<{ line: number; record: Record<string, string> }> {
  const parser = createReadStream(path).pipe(
    parse({ columns: (header: string[]) => header.map((h) => h.trim()), info: true, skip_empty_lines: true, relax_column_count: true, bom: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: info.lines, record };
  }
}

/**
 * The CSV format (docs/graph-model.md): `interactions.csv` with `userId,itemId,type,weight,timestamp`
 * and an optional `id`; `items.csv` with `itemId,title` and optional `category`, `description`,
 * `tags` (separated by `|`) and `available` (true, false, 1 or 0; true when empty). An item is
 * written whole: an empty column clears what the store held. An item id given twice is a bad row.
 */
export async function readCsvDataset(interactionsPath: string, itemsPath?: string): Promise<DatasetFiles> {
  const badRows: BadRow[] = [];
  const items: NewItem[] = [];
  if (itemsPath) {
    const file = basename(itemsPath);
    const lines = new Map<string, number>();
    for await (const { line, record } of csvRecords(itemsPath)) {
      const item = toItem(record);
      const first = typeof item === 'string' ? undefined : lines.get(item.id);
      if (typeof item === 'string') badRows.push({ file, line, message: item });
      else if (first !== undefined) badRows.push({ file, line, message: `item "${item.id}" repeats line ${first}` });
      else {
        lines.set(item.id, line);
        items.push(item);
      }
    }
  }
  const interactions: SourcedInteraction[] = [];
  const file = basename(interactionsPath);
  for await (const { line, record } of csvRecords(interactionsPath)) {
    const parsed = interactionRow.safeParse(record);
    if (!parsed.success) {
      badRows.push({ file, line, message: describeIssues(parsed.error) });
      continue;
    }
    const row = parsed.data;
    const interaction = {
      userId: row.userId,
      itemId: row.itemId,
      type: row.type,
      weight: resolveInteractionWeight(row.type, row.weight),
      occurredAt: new Date(row.timestamp),
    };
    interactions.push({ file, line, interaction: { id: row.id ?? contentKey(interaction), ...interaction } });
  }
  return { items, interactions, badRows };
}

/**
 * LightGCN's benchmark format (`../shared/datasets/<name>/<split>.txt`): one line per user,
 * `<userIndex> <itemIndex> ...`. As in training (`training/recograph_training/data.py`): ids are the
 * decimal indices, the time of an interaction is its position in the line in epoch milliseconds
 * (later = more recent), and every item index seen becomes a catalogue item.
 */
export async function readLightGcnDataset(dir: string, splits: readonly string[], type: InteractionType): Promise<DatasetFiles> {
  const badRows: BadRow[] = [];
  const interactions: SourcedInteraction[] = [];
  const itemIds = new Set<string>();
  const dataset = basename(dir);
  const weight = resolveInteractionWeight(type);
  for (const split of splits) {
    const file = `${split}.txt`;
    const lines = createInterface({ input: createReadStream(join(dir, file)), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      const fields = text.trim().split(/\s+/).filter((f) => f.length > 0);
      if (fields.length === 0) continue;
      const bad = fields.find((f) => !/^\d+$/.test(f));
      if (bad !== undefined) {
        badRows.push({ file, line, message: `"${bad}" is not a non-negative integer index` });
        continue;
      }
      const [userId, ...items] = fields.map((f) => String(Number(f)));
      items.forEach((itemId, position) => {
        itemIds.add(itemId);
        interactions.push({
          file,
          line,
          interaction: { id: `${dataset}/${split}:${userId}:${position}`, userId: userId!, itemId, type, weight, occurredAt: new Date(position) },
        });
      });
    }
  }
  const items = [...itemIds]
    .sort((a, b) => Number(a) - Number(b))
    .map((id): NewItem => ({ id, title: `${dataset} item ${id}` }));
  return { items, interactions, badRows };
}

/** The bundled demo dataset (`src/graph/demo/`), each interaction keyed by its position. */
export function demoDataset({ items, interactions }: DemoDataset = generateDemoDataset()): DatasetFiles {
  return {
    items,
    interactions: interactions.map((interaction, k) => ({ file: 'demo', line: k + 1, interaction: { ...interaction, id: `demo:${k}` } })),
    badRows: [],
  };
}
