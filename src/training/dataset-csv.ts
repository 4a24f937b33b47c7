import { stringify } from 'csv-stringify/sync';
import type { InteractionRecord, NewInteraction, NewItem } from '../graph/index.js';

/**
 * The CSV pair training reads (`training/recograph_training/data.py`) and the import reads
 * (docs/graph-model.md): `items.csv` in catalogue order, `interactions.csv` with resolved weights
 * and each interaction's own time (ISO-8601, UTC), which the sampling orders by.
 */
export const ITEMS_FILE = 'items.csv';
export const INTERACTIONS_FILE = 'interactions.csv';

/** The import's item columns (tags separated by `|`), so a text map can be fitted from the same file. */
const ITEM_COLUMNS = ['itemId', 'title', 'category', 'description', 'tags', 'available'];
const INTERACTION_COLUMNS = ['userId', 'itemId', 'type', 'weight', 'timestamp'];

/** CSV text of `items`, with the header when `header`. */
export const itemsCsv = (items: readonly NewItem[], header: boolean): string =>
  stringify(
    items.map((i) => [i.id, i.title, i.category ?? '', i.description ?? '', (i.tags ?? []).join('|'), i.available === false ? 'false' : 'true']),
    { header, columns: ITEM_COLUMNS },
  );

/** CSV text of `interactions`, with the header when `header`. */
export const interactionsCsv = (interactions: readonly (InteractionRecord | NewInteraction)[], header: boolean): string =>
  stringify(
    interactions.map((i) => [i.userId, i.itemId, i.type, i.weight, i.occurredAt.toISOString()]),
    { header, columns: INTERACTION_COLUMNS },
  );
