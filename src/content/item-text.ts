/** The catalogue fields an item's content embedding is made from. */
export interface ItemTextFields {
  readonly title: string;
  readonly category?: string | null;
  readonly tags?: readonly string[] | null;
  readonly description?: string | null;
}

/**
 * The text the encoder embeds for an item: `title. category. tag, tag. description`, empty parts
 * left out, whitespace collapsed, a part's own final full stops dropped (no "Mug.. Kitchen"). The short, telling fields come first because the encoder reads
 * only its first 128 tokens, so a long description is what gets cut.
 */
export function itemText({ title, category, tags, description }: ItemTextFields): string {
  return [title, category ?? '', (tags ?? []).join(', '), description ?? '']
    .map((part) => part.replace(/\s+/g, ' ').trim().replace(/\.+$/, ''))
    .filter((part) => part.length > 0)
    .join('. ');
}
