import { parse } from 'graphql';
import { startSubgraph, type RunningSubgraph } from './start-subgraph.js';

/** The accounts subgraph owns people's names; recograph knows users only by id. */
export const ACCOUNTS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    "The signed-in user."
    me: User
  }

  type User @key(fields: "id") {
    id: ID!
    "The user's display name."
    name: String!
  }
`);

export const ACCOUNT_NAMES: ReadonlyMap<string, string> = new Map([
  ['user-0001', 'Ada Lovelace'],
  ['user-0002', 'Grace Hopper'],
  ['user-0003', 'Katherine Johnson'],
]);

/** The user `me` answers for: the tests have no sign-in. */
export const SIGNED_IN_USER = 'user-0002';

export function startAccounts(): Promise<RunningSubgraph> {
  return startSubgraph('accounts', ACCOUNTS_SDL, {
    Query: { me: () => ({ id: SIGNED_IN_USER }) },
    User: {
      __resolveReference: ({ id }: { id: string }) => (ACCOUNT_NAMES.has(id) ? { id } : null),
      name: ({ id }: { id: string }) => ACCOUNT_NAMES.get(id),
    },
  });
}
