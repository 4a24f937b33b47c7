import type { NewItem } from './store.js';

/** Limits of a catalogue item's fields, for the API and the import alike. */
export const ITEM_FIELD_LIMITS = {
  title: 300,
  category: 200,
  description: 4000,
  tags: 32,
  tag: 64,
} as const;

/** Control characters, which no one-line field may hold (a description may hold line breaks and tabs). */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A field that breaks a rule: its path within the item (`title`, `tags[3]`) and the rule, in words. */
export interface ItemFieldProblem {
  readonly field: string;
  readonly rule: string;
}

const oneLine = (value: string, max: number) => value.length > 0 && value.length <= max && !CONTROL.test(value);

/** Whether `value` may be a category: 1..200 characters, no control characters. */
export const isCategoryName = (value: string): boolean => oneLine(value, ITEM_FIELD_LIMITS.category);

export const CATEGORY_RULE = `must be 1 to ${ITEM_FIELD_LIMITS.category} characters without control characters`;

/** The first field of `item` (its id aside, which callers check) that breaks a rule, or null. */
export function itemFieldProblem(item: Omit<NewItem, 'id'>): ItemFieldProblem | null {
  const { title, category, description, tags } = item;
  if (!oneLine(title, ITEM_FIELD_LIMITS.title)) {
    return { field: 'title', rule: `must be 1 to ${ITEM_FIELD_LIMITS.title} characters without control characters` };
  }
  if (category != null && !isCategoryName(category)) return { field: 'category', rule: CATEGORY_RULE };
  if (description != null && (description.length > ITEM_FIELD_LIMITS.description || CONTROL_BUT_WHITESPACE.test(description))) {
    return { field: 'description', rule: `must be at most ${ITEM_FIELD_LIMITS.description} characters, without control characters but line breaks and tabs` };
  }
  if (tags != null) {
    if (tags.length > ITEM_FIELD_LIMITS.tags) return { field: 'tags', rule: `takes at most ${ITEM_FIELD_LIMITS.tags} tags; got ${tags.length}` };
    const bad = tags.findIndex((tag) => !oneLine(tag, ITEM_FIELD_LIMITS.tag));
    if (bad >= 0) return { field: `tags[${bad}]`, rule: `must be 1 to ${ITEM_FIELD_LIMITS.tag} characters without control characters` };
  }
  return null;
}
