import { BadUserInputError } from '../errors.js';
import { servedRecommendation, type AnswerRef } from '../feedback/index.js';
import type { Page } from '../graph/index.js';
import { LIST_DEPTH, type ListPage, type ListPosition } from '../recommendations/index.js';
import { decodeCursor, encodeCursor } from './arguments.js';

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

/** A kept list's cursor: the list and how many of its items come before the next page. */
const listCursor = (listId: string, offset: number) => encodeCursor(`${listId}:${offset}`);

export function decodeListCursor(argument: string, cursor: string | null | undefined): ListPosition | null {
  const decoded = decodeCursor(argument, cursor);
  if (decoded === null) return null;
  const match = /^([0-9a-f-]{36}):(\d{1,4})$/.exec(decoded);
  const offset = match ? Number(match[2]) : NaN;
  if (!match || offset > LIST_DEPTH) throw new BadUserInputError(`\`${argument}\` is not a cursor of a ranked list.`, { argument });
  return { listId: match[1]!, offset };
}

/** A page of a kept ranked list as a connection; `endCursor` continues after the page even when items dropped out of it. */
export function recommendationConnection(page: ListPage, first: number, answer: AnswerRef) {
  const nodes = page.results.map((r) => servedRecommendation(r, answer));
  const edges = nodes.map((node) => ({ cursor: listCursor(page.listId, node.rank), node }));
  return {
    ...answer,
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: listCursor(page.listId, Math.min(page.offset + first, LIST_DEPTH)),
    },
  };
}
