import { composeServices, type CompositionResult } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { printRecographSubgraphSchema } from '../../src/schema.js';
import { documentedQuery } from '../support/documented-queries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ACCOUNT_NAMES, SIGNED_IN_USER, startAccounts } from './subgraphs/accounts.js';
import { ON_SALE, priceOf, startCatalogue } from './subgraphs/catalogue.js';
import type { RunningSubgraph } from './subgraphs/start-subgraph.js';

/**
 * Composition hints we decided to accept, by code. None so far: the test subgraphs leave the
 * descriptions of the entities they share with recograph to recograph, so no description clashes.
 */
const ACCEPTED_HINTS: string[] = [];

describe('federation: recograph in a supergraph with accounts and catalogue subgraphs', () => {
  let recograph: TestServer;
  let subgraphs: RunningSubgraph[];
  let recographSdl: string;
  let composition: CompositionResult;
  let gateway: ApolloServer;
  let gatewayUrl: string;

  const compose = (sdl: string) =>
    composeServices([
      { name: 'recograph', typeDefs: parse(sdl), url: recograph.url },
      ...subgraphs.map(({ name, typeDefs, url }) => ({ name, typeDefs, url })),
    ]);

  const query = async (source: string) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: source }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };

  beforeAll(async () => {
    // @apollo/gateway otherwise sends usage telemetry to Apollo and probes cloud metadata servers;
    // tests speak to loopback only.
    vi.stubEnv('APOLLO_TELEMETRY_DISABLED', 'true');
    [recograph, ...subgraphs] = await Promise.all([startTestServer(), startAccounts(), startCatalogue()]);
    // What a router fetches from a running subgraph.
    recographSdl = (await recograph.graphql('{ _service { sdl } }')).data._service.sdl;
    composition = compose(recographSdl);
    if (composition.errors) return;
    gateway = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl: composition.supergraphSdl, logger: pino({ level: 'silent' }) }),
      logger: pino({ level: 'silent' }),
    });
    gatewayUrl = (await startStandaloneServer(gateway, { listen: { host: '127.0.0.1', port: 0 } })).url;
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([recograph?.close(), ...(subgraphs ?? []).map((s) => s.stop())]);
    vi.unstubAllEnvs();
  });

  it('composes with no errors and only the hints we accepted', () => {
    expect(composition.errors?.map(String)).toBeUndefined();
    expect(composition.hints?.map((h) => h.definition.code)).toEqual(ACCEPTED_HINTS);
  });

  it('composes the printed subgraph schema (npm run schema:print) into the same supergraph', () => {
    expect(compose(printRecographSubgraphSchema()).supergraphSdl).toBe(composition.supergraphSdl);
  });

  it("answers one query across all three: accounts' name, catalogue's prices, recograph's explanations", async () => {
    // The supergraph example of the README and docs/federation.md.
    const { data, errors } = await query(documentedQuery('supergraph/user-across-subgraphs.graphql'));
    expect(errors).toBeUndefined();
    const direct = await recograph.graphql(`{
      recommendations(userId: "user-0001", first: 3) { rank item { id title } explanation { kind summary } }
    }`);
    expect(data.user.name).toBe(ACCOUNT_NAMES.get('user-0001'));
    expect(data.user.recommendations).toHaveLength(3);
    expect(data.user.recommendations).toEqual(
      direct.data.recommendations.map((r: any) => ({ ...r, item: { ...r.item, price: priceOf(r.item.id) } })),
    );
    expect(data.user.recommendations[0].explanation.kind).toBe('ATTENTION');
  });

  it('resolves recommendations for a user another subgraph returns', async () => {
    const { data, errors } = await query(`{
      me { name recommendations(first: 2) { item { id title price } explanation { summary } } }
    }`);
    expect(errors).toBeUndefined();
    const direct = await recograph.graphql(`{
      recommendations(userId: "${SIGNED_IN_USER}", first: 2) { item { id title } explanation { summary } }
    }`);
    expect(data.me.name).toBe(ACCOUNT_NAMES.get(SIGNED_IN_USER));
    expect(data.me.recommendations).toEqual(
      direct.data.recommendations.map((r: any) => ({ ...r, item: { ...r.item, price: priceOf(r.item.id) } })),
    );
  });

  it('resolves titles and categories for items another subgraph returns', async () => {
    const { data, errors } = await query(`{ onSale { id title category price } }`);
    expect(errors).toBeUndefined();
    const direct = await Promise.all(ON_SALE.map((id) => recograph.graphql(`{ item(id: "${id}") { id title category } }`)));
    expect(data.onSale).toEqual(direct.map((d) => ({ ...d.data.item, price: priceOf(d.data.item.id) })));
  });
});
