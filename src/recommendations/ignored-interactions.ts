import type { Neighbourhood } from '../graph/index.js';

/**
 * The neighbourhood the user would have had if they had never interacted with `ignoredItemIds`:
 * those items leave hop 1 (later items move up to fill the fan-out, as training's `exclude_items`
 * does), and they are no longer excluded as already interacted. `sampled` may have been read with a
 * hop-1 fan-out larger by up to one slot per ignored id; the result is cut to `hop1`. Hop 2 needs no
 * change: the root user is never their own co-user.
 */
export function withoutInteractions(
  sampled: Neighbourhood,
  ignoredItemIds: readonly string[] | null | undefined,
  hop1: number,
): Neighbourhood {
  const ignored = new Set(ignoredItemIds ?? []);
  return {
    ...sampled,
    items: sampled.items.filter((n) => !ignored.has(n.item.id)).slice(0, hop1),
    interactedItemIds:
      ignored.size === 0 ? sampled.interactedItemIds : new Set([...sampled.interactedItemIds].filter((id) => !ignored.has(id))),
  };
}
