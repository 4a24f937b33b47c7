import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('users, items and the model over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('pages through items of a category with Relay cursors', async () => {
    const query = `query ($after: String) { items(first: 50, after: $after, category: "Tea") {
      edges { cursor node { id category } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { data }: { data?: any } = await server.graphql(query, { after });
      seen.push(...data.items.edges.map((e: any) => e.node.id));
      expect(data.items.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!data.items.pageInfo.hasNextPage) break;
      after = data.items.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(160);
    expect(new Set(seen).size).toBe(160);
  });

  it('lists a category whatever its case, and refuses one the catalogue lacks', async () => {
    const { data, errors } = await server.graphql('{ tea: items(first: 5, category: "Tea") { nodes { id } } folded: items(first: 5, category: "tEA") { nodes { id } } }');
    expect(errors).toBeUndefined();
    expect(data.folded.nodes).toEqual(data.tea.nodes);
    expect(data.tea.nodes).toHaveLength(5);
    const unknown = await server.graphql('{ items(category: "Polka") { nodes { id } } }');
    expect(unknown.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'category' });
    expect(unknown.errors![0]!.message).toMatch(/no category "Polka"/);
  });

  it('looks up a user and an item, null when unknown', async () => {
    const { data } = await server.graphql(`{
      user(id: "user-0001") { id interactionCount interactions(first: 2) { type weight occurredAt item { title } } }
      item(id: "item-0001") { id title category }
      nobody: user(id: "nobody") { id }
      nothing: item(id: "nothing") { id }
    }`);
    expect(data.user.interactionCount).toBeGreaterThan(0);
    expect(data.user.interactions).toHaveLength(2);
    expect(data.user.interactions[0].occurredAt >= data.user.interactions[1].occurredAt).toBe(true);
    expect(data.item).toEqual({ id: 'item-0001', title: expect.any(String), category: 'Jazz' });
    expect(data.nobody).toBeNull();
    expect(data.nothing).toBeNull();
  });

  it('rejects a forged cursor', async () => {
    const { errors } = await server.graphql(`{ users(first: 5, after: "%%%") { nodes { id } } }`);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('describes the serving model', async () => {
    const { data } = await server.graphql(`{ model { version format fanouts heads embeddingDim itemCount executionProvider compression } }`);
    expect(data.model).toMatchObject({ format: 'recograph-gat/3', executionProvider: 'cpu', compression: 'none', itemCount: 1920 });
    expect(data.model.fanouts).toHaveLength(2);
  });
});

describe('unexpected errors', () => {
  let server: TestServer;
  const failingStore = (store: GraphStore): GraphStore =>
    Object.assign(Object.create(store), {
      users: () => Promise.reject(new Error('SQLITE_CORRUPT: /secret/path/recograph.sqlite')),
    });
  beforeAll(async () => {
    server = await startTestServer({ store: failingStore });
  });
  afterAll(() => server?.close());

  it('are masked: a code, no internal detail', async () => {
    const response = await server.graphql(`{ user(id: "user-0001") { id } }`);
    expect(response.errors![0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(response)).not.toMatch(/SQLITE|secret|stack/i);
  });
});
