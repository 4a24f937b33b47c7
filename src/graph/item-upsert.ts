import type { ItemRecord, NewItem, UpsertItemsResult } from './store.js';

/** What one `upsertItems` call writes, decided the same way by every adapter. */
export interface ItemUpsertPlan {
  readonly result: UpsertItemsResult;
  /** The records to write, each with the next revision after the catalogue's, in input order. */
  readonly writes: readonly { readonly item: ItemRecord; readonly revision: number }[];
}

/** A `NewItem` as stored: omitted fields take their defaults (full replace). */
export const itemRecord = (item: NewItem): ItemRecord => ({
  id: item.id,
  title: item.title,
  category: item.category ?? null,
  description: item.description ?? null,
  tags: [...(item.tags ?? [])],
  available: item.available ?? true,
});

const sameRecord = (a: ItemRecord, b: ItemRecord) =>
  a.title === b.title &&
  a.category === b.category &&
  a.description === b.description &&
  a.available === b.available &&
  a.tags.length === b.tags.length &&
  a.tags.every((tag, k) => tag === b.tags[k]);

/**
 * Compares `items` with what is stored (`stored`, aligned with them, read under the catalogue's
 * write lock) and numbers the writes from `revision`, the catalogue's revision.
 */
export function planItemUpsert(items: readonly NewItem[], stored: readonly (ItemRecord | null)[], revision: number): ItemUpsertPlan {
  const ids = new Set<string>();
  const writes: { item: ItemRecord; revision: number }[] = [];
  let createdCount = 0;
  const records = items.map((input, k) => {
    if (ids.has(input.id)) throw new RangeError(`upsertItems: item id ${input.id} appears more than once`);
    ids.add(input.id);
    const item = itemRecord(input);
    const before = stored[k] ?? null;
    if (before !== null && sameRecord(before, item)) return before;
    if (before === null) createdCount += 1;
    writes.push({ item, revision: revision + writes.length + 1 });
    return item;
  });
  return { result: { items: records, createdCount, updatedCount: writes.length - createdCount }, writes };
}
