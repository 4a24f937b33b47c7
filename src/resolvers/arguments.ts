import { CATEGORY_RULE, checkId, isCategoryName, MAX_ID_LENGTH } from '../graph/index.js';
import { BadUserInputError } from '../errors.js';

export const MAX_PAGE_SIZE = 100;
export const MAX_CONTRIBUTIONS = 50;
export const MAX_INTERACTIONS_PER_CALL = 1000;
export const MAX_ITEMS_PER_CALL = 1000;
const MAX_FILTER_ENTRIES = 1000;
/** How far in the future an `occurredAt` may be (clock skew): later ones would stay "most recent" forever. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** An integer count argument in 1..max. */
export function count(argument: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(`\`${argument}\` must be between 1 and ${max}; got ${value}.`, { argument });
  }
  return value;
}

/** An id, NFC-normalised. */
export function id(argument: string, value: string): string {
  const checked = checkId(value);
  if (checked.ok) return checked.id;
  if (checked.problem === 'length') {
    throw new BadUserInputError(`\`${argument}\` must be 1 to ${MAX_ID_LENGTH} characters long.`, { argument });
  }
  throw new BadUserInputError(`\`${argument}\` may contain only letters, digits, combining marks and . _ ~ : @ / + = | # -`, { argument });
}

/** A category name: 1..200 characters, no control characters. */
export function category(argument: string, value: string): string {
  if (!isCategoryName(value)) throw new BadUserInputError(`\`${argument}\` ${CATEGORY_RULE}.`, { argument });
  return value;
}

/** An instant between the Unix epoch and a few minutes from `now`. */
export function pastInstant(argument: string, value: Date, now: Date): Date {
  const time = value.getTime();
  if (!(time >= 0 && time <= now.getTime() + MAX_CLOCK_SKEW_MS)) {
    throw new BadUserInputError(`\`${argument}\` must lie between 1970 and now.`, { argument });
  }
  return value;
}

/** A list of at most `max` entries, each checked by `entry` (which is given the entry's path). */
export function list<T>(
  argument: string,
  values: readonly T[] | null | undefined,
  entry: (argument: string, value: T) => T,
  max = MAX_FILTER_ENTRIES,
): readonly T[] | null {
  if (values == null) return null;
  if (values.length > max) {
    throw new BadUserInputError(`\`${argument}\` takes at most ${max} entries; got ${values.length}.`, { argument });
  }
  return values.map((value, index) => entry(`${argument}[${index}]`, value));
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
