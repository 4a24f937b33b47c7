/** The peer GraphQL servers `npm run bench` measures beside ours (bench/peer-server.ts). */
export const PEERS = ['apollo', 'yoga', 'mercurius'] as const;
export type Peer = (typeof PEERS)[number];
export const PEER_NAMES: Record<Peer, string> = {
  apollo: 'Apollo Server 5 standalone',
  yoga: 'GraphQL Yoga',
  mercurius: 'Mercurius + graphql-jit (Fastify)',
};
