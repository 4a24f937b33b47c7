import { parse } from 'graphql';
import { startSubgraph, type RunningSubgraph } from './start-subgraph.js';

/** The catalogue subgraph owns prices; recograph owns titles, categories and recommendations. */
export const CATALOGUE_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    "This week's offers."
    onSale: [Item!]!
  }

  type Item @key(fields: "id") {
    id: ID!
    "The price in euros."
    price: Float!
  }
`);

export const ON_SALE = ['item-0001', 'item-0002', 'item-0003'];

/** A made-up but deterministic price per item, so tests can check each one. */
export const priceOf = (itemId: string): number => (Number(itemId.replace(/\D/g, '')) % 50) + 0.99;

export function startCatalogue(): Promise<RunningSubgraph> {
  return startSubgraph('catalogue', CATALOGUE_SDL, {
    Query: { onSale: () => ON_SALE.map((id) => ({ id })) },
    Item: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      price: ({ id }: { id: string }) => priceOf(id),
    },
  });
}
