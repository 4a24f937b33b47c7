import type { Page } from '../graph/index.js';
import { encodeCursor } from './arguments.js';

/** A Relay connection over one page of records keyed by `id`. */
export function connection<T extends { readonly id: string }>(page: Page<T>, after: string | null) {
  const edges = page.records.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    nodes: page.records,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
