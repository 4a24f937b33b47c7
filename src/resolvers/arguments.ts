import { MAX_ID_LENGTH } from '../graph/index.js';
import { BadUserInputError } from '../errors.js';

export const MAX_PAGE_SIZE = 100;
export const MAX_CONTRIBUTIONS = 50;
export const MAX_INTERACTIONS_PER_CALL = 1000;
const MAX_FILTER_ENTRIES = 1000;

/** An integer count argument in 1..max. */
export function count(argument: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(`\`${argument}\` must be between 1 and ${max}; got ${value}.`, { argument });
  }
  return value;
}

export function id(argument: string, value: string): string {
  if (value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new BadUserInputError(`\`${argument}\` must be 1 to ${MAX_ID_LENGTH} characters long.`, { argument });
  }
  return value;
}

export function list<T>(argument: string, values: readonly T[] | null | undefined, max = MAX_FILTER_ENTRIES): readonly T[] | null {
  if (values == null) return null;
  if (values.length > max) {
    throw new BadUserInputError(`\`${argument}\` takes at most ${max} entries; got ${values.length}.`, { argument });
  }
  return values;
}

/** Cursors are opaque to clients: base64url of the last id of a page. */
export const encodeCursor = (recordId: string) => Buffer.from(recordId, 'utf8').toString('base64url');

export function decodeCursor(argument: string, cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (decoded.length === 0 || encodeCursor(decoded) !== cursor) {
    throw new BadUserInputError(`\`${argument}\` is not a cursor this API issued.`, { argument });
  }
  return decoded;
}
