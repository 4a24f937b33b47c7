/**
 * The opaque cursor of `GraphStore.interactionsPage`: an interaction's position in recording
 * order (its sequence number, which both stores keep). Opaque so that a store may change what it
 * encodes without breaking callers that only pass it back.
 */
const PREFIX = 'seq:';

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`Not a cursor of this store: ${JSON.stringify(cursor)}`);
    this.name = 'InvalidCursorError';
  }
}

export const encodeInteractionCursor = (seq: number): string => Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');

/** The sequence number a page resumes after; -1 (before every interaction) without a cursor. */
export function decodeInteractionCursor(cursor: string | null | undefined): number {
  if (cursor == null) return -1;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = Number(text.slice(PREFIX.length));
  if (!text.startsWith(PREFIX) || !/^\d+$/.test(text.slice(PREFIX.length)) || !Number.isSafeInteger(seq)) throw new InvalidCursorError(cursor);
  return seq;
}
