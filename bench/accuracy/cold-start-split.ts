import { SeededRandom } from '../../src/graph/demo/random.js';
import type { UserItems } from './lightgcn-split.js';

/** What `recograph_training.cold_start` writes to `split.json`. */
export interface ColdStartSplitFile {
  readonly dataset: string;
  readonly seed: number;
  readonly heldOutFraction: number;
  /** The dataset's files in the order their lines are read (a later position is more recent). */
  readonly files: readonly string[];
  readonly fit: readonly string[];
  readonly select: string | null;
  /** The files whose interactions of the other items the served store holds. */
  readonly known: readonly string[];
  readonly heldOutItems: readonly string[];
  /** [user, item, draw]: the item is given the interactions with draw < k; the rest are its targets. */
  readonly heldOutInteractions: readonly (readonly [string, string, number])[];
  readonly recipe: Record<string, unknown>;
  readonly models: readonly Record<string, unknown>[];
}

export interface ColdStartCase {
  /** Interactions the store holds for the held-out items, by user. */
  readonly given: UserItems;
  /** Held-out items each user interacted with beyond those given: what is ranked for. */
  readonly targets: UserItems;
  /** How many interactions each held-out item was given. */
  readonly givenCount: ReadonlyMap<string, number>;
}

/** The given interactions and the targets of `split` at `k`. */
export function coldStartCase(split: ColdStartSplitFile, k: number): ColdStartCase {
  const given: UserItems = new Map();
  const targets: UserItems = new Map();
  const givenCount = new Map(split.heldOutItems.map((item) => [item, 0]));
  for (const [user, item, draw] of split.heldOutInteractions) {
    const into = draw < k ? given : targets;
    into.set(user, [...(into.get(user) ?? []), item]);
    if (draw < k) givenCount.set(item, givenCount.get(item)! + 1);
  }
  return { given, targets, givenCount };
}

/**
 * Every user's interactions as the served store holds them at `k`: the other items' interactions
 * in the known files and the held-out items' given ones, each with its position in the user's
 * lines across all files as its time (training reads the same files with the same times).
 */
export function storedInteractions(
  all: UserItems,
  known: UserItems,
  heldOut: ReadonlySet<string>,
  given: UserItems,
): Map<string, { itemId: string; position: number }[]> {
  const stored = new Map<string, { itemId: string; position: number }[]>();
  for (const [userId, items] of all) {
    const knownItems = new Set(known.get(userId));
    const givenItems = new Set(given.get(userId));
    const kept = items.flatMap((itemId, position) =>
      (knownItems.has(itemId) && !heldOut.has(itemId)) || givenItems.has(itemId) ? [{ itemId, position }] : [],
    );
    if (kept.length > 0) stored.set(userId, kept);
  }
  return stored;
}

/**
 * Popularity among new items: for each user, the held-out items by their given interactions, most
 * first, without those given to the user. Ties (every item with at least k interactions has exactly
 * k) are broken by one seeded random order, the same for all users.
 */
export function popularityAmongNewItems(
  givenCount: ReadonlyMap<string, number>,
  given: UserItems,
  users: readonly string[],
  k: number,
  seed: number,
): Map<string, string[]> {
  const random = new SeededRandom(seed);
  const shuffled = [...givenCount.keys()];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const ranked = shuffled.sort((a, b) => givenCount.get(b)! - givenCount.get(a)!);
  return new Map(
    users.map((user) => {
      const own = new Set(given.get(user));
      return [user, ranked.filter((item) => !own.has(item)).slice(0, k)];
    }),
  );
}
