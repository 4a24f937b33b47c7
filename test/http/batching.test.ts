import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls } from '../support/call-recorder.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const { calls, decorators } = recordCalls();

describe('batching: one store call and one model run per request', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(decorators);
  });
  afterAll(() => server?.close());
  beforeEach(() => calls.clear());

  it('batches aliased recommendation fields for many users', async () => {
    const users = Array.from({ length: 8 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
    const query = `{ ${users
      .map((u, i) => `u${i}: recommendations(userId: "${u}", first: 5) { score item { id } explanation { summary } }`)
      .join('\n')} }`;
    const { data, errors } = await server.graphql(query);
    expect(errors).toBeUndefined();
    expect(Object.keys(data)).toHaveLength(8);
    expect(calls.store.neighbourhoods).toEqual([users]);
    expect(calls.modelRuns).toEqual([8]);
    expect(calls.explainedRanks).toEqual([5]);
  });

  it('batches recommendations nested in a list of users', async () => {
    const { data } = await server.graphql(`{ users(first: 25) { nodes { id recommendations(first: 3) { item { id } } } } }`);
    expect(data.users.nodes).toHaveLength(25);
    expect(calls.store.neighbourhoods).toHaveLength(1);
    expect(calls.store.neighbourhoods?.[0]).toHaveLength(25);
    expect(calls.modelRuns).toEqual([25]);
    // No explanation selected: the model computes no contributions at all.
    expect(calls.explainedRanks).toEqual([0]);
  });

  it('keeps each user’s results their own within a batch', async () => {
    const single = await server.graphql(`{ recommendations(userId: "user-0007", first: 5) { item { id } score } }`);
    const batched = await server.graphql(`{
      a: recommendations(userId: "user-0003", first: 5) { item { id } score }
      b: recommendations(userId: "user-0007", first: 5) { item { id } score }
      c: recommendations(userId: "user-0011", first: 5) { item { id } score }
    }`);
    expect(batched.data.b.map((r: any) => r.item.id)).toEqual(single.data.recommendations.map((r: any) => r.item.id));
    batched.data.b.forEach((r: any, k: number) => expect(r.score).toBeCloseTo(single.data.recommendations[k].score, 4));
  });

  it('batches plain and "what if" rankings of one user into one store call and one model run', async () => {
    const { data, errors } = await server.graphql(`{
      plain: recommendations(userId: "user-0009", first: 3) { item { id } }
      whatIf: recommendations(userId: "user-0009", first: 3, ignoreItemIds: ["item-0001", "item-0002"]) { item { id } }
      same: user(id: "user-0009") { recommendations(first: 3, ignoreItemIds: ["item-0002", "item-0001"]) { item { id } } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.same.recommendations).toEqual(data.whatIf);
    expect(calls.store.neighbourhoods).toEqual([['user-0009']]);
    // The same set of ignored ids in another order is the same DataLoader key: two rows, not three.
    expect(calls.modelRuns).toEqual([2]);
  });

  it('ranks a user with and without explanations as two keys of one batch, explanations selected through fragments too', async () => {
    const { data, errors } = await server.graphql(`
      query { bare: recommendations(userId: "user-0013", first: 9) { item { id } } ...Explained }
      fragment Explained on Query { why: recommendations(userId: "user-0013", first: 4) { item { id } ... on Recommendation { explanation { summary } } } }
    `);
    expect(errors).toBeUndefined();
    expect(data.why.map((r: any) => r.item.id)).toEqual(data.bare.slice(0, 4).map((r: any) => r.item.id));
    for (const r of data.why) expect(r.explanation.summary).toMatch(/^Because you (viewed|clicked|checked in at|liked|put|bought) “/);
    expect(calls.store.neighbourhoods).toEqual([['user-0013']]);
    expect(calls.modelRuns).toEqual([2]);
    // Contributions for the 4 ranks explained, not for the 9 returned.
    expect(calls.explainedRanks).toEqual([4]);
  });

  it('sends users the model cannot rank to the fallback without a model row', async () => {
    const { data } = await server.graphql(`{
      known: recommendations(userId: "user-0005", first: 3) { explanation { kind } }
      unknown: recommendations(userId: "nobody-at-all", first: 3) { explanation { kind } }
    }`);
    expect(data.known[0].explanation.kind).toBe('ATTENTION');
    expect(data.unknown[0].explanation.kind).toBe('POPULARITY_FALLBACK');
    expect(calls.store.neighbourhoods).toEqual([['user-0005', 'nobody-at-all']]);
    expect(calls.modelRuns).toEqual([1]);
  });
});
