import { createServer } from 'node:net';

/** The demo users the load benchmarks rank for, in id order. */
export const DEMO_USERS = Array.from({ length: 3000 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);

/** The README's explained answer: 10 items with 5 contributions each, the headline row of every load benchmark. */
export const EXPLAINED_QUERY = `query Recommend($u: ID!) { recommendations(userId: $u, first: 10) {
  rank score item { id title category }
  explanation { kind summary modelVersion contributions(first: 5) { weight share item { id title } } } } }`;

/** One request body per demo user, for a query taking the user as `$u`. */
export const perUser = (query: string): string[] => DEMO_USERS.map((u) => JSON.stringify({ query, variables: { u } }));

/** The bodies of a named workload: the explained answer per demo user, or the trivial `{ __typename }`. */
export const workloadBodies = (name: string): string[] => {
  if (name === 'explained') return perUser(EXPLAINED_QUERY);
  if (name === 'typename') return [JSON.stringify({ query: '{ __typename }' })];
  throw new Error(`--query: explained or typename, not ${name}`);
};

/** A loopback port free now, for a server the benchmark starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
