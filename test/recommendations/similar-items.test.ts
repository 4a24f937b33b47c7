import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alsoChoseSentence } from '../../src/explain/index.js';
import { EXCLUDED_SCORE_BIAS } from '../../src/inference/index.js';
import { Candidates, nearestRows, SHARED_USERS_SAMPLE, SimilarItems } from '../../src/recommendations/index.js';
import { recordCalls } from '../support/call-recorder.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN = 'admin-key-01234567890';
const WRITER = 'writer-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN}` };

const SIMILAR = `query ($itemId: ID!, $first: Int, $filter: RecommendationFilter, $userId: ID) {
  similarItems(itemId: $itemId, first: $first, filter: $filter, userId: $userId) {
    rank score sharedUserCount item { id title category available } explanation { kind summary modelVersion contributions { share } }
  }
}`;

describe('nearest rows by cosine', () => {
  it('ranks rows by cosine with the direction, leaving out excluded and zero rows', () => {
    // Rows: along x, along y, zero, 45°, along x again but long (cosine ignores length).
    const rows = Float32Array.from([1, 0, 0, 1, 0, 0, 1, 1, 5, 0]);
    const keep = new Float32Array(5);
    const direction = Float32Array.from([1, 0]);
    const [all] = nearestRows(rows, 2, [{ direction, bias: keep, k: 5 }]);
    expect(all!.map((r) => r.index)).toEqual([0, 4, 3, 1]);
    expect(all![2]!.score).toBeCloseTo(Math.SQRT1_2, 6);
    const withoutFirst = keep.slice();
    withoutFirst[0] = EXCLUDED_SCORE_BIAS;
    const [excluded, top1] = nearestRows(rows, 2, [
      { direction, bias: withoutFirst, k: 2 },
      { direction: Float32Array.from([0, 1]), bias: keep, k: 1 },
    ]);
    expect(excluded!.map((r) => r.index)).toEqual([4, 3]);
    expect(top1!.map((r) => r.index)).toEqual([1]);
  });
});

describe('similar items (embedded store, demo model)', () => {
  const { calls, decorators } = recordCalls();
  let server: TestServer;
  const ask = (variables: Record<string, unknown>, headers: Record<string, string> = admin) => server.graphql(SIMILAR, variables, headers);
  beforeAll(async () => {
    server = await startTestServer(decorators, { API_KEYS: `${WRITER}:writer,${ADMIN}:admin` });
  });
  afterAll(() => server?.close());
  beforeEach(() => calls.clear());

  /** The available items by cosine with `itemId`'s candidate row, computed here from the served table. */
  async function bruteForce(itemId: string): Promise<string[]> {
    const model = server.app.model;
    const rows = model.candidateRows();
    const dim = model.metadata.embeddingDim;
    const ids = Array.from({ length: model.vocabulary.itemCount }, (_, i) => model.vocabulary.itemId(i));
    const records = new Map((await server.app.store.items(ids)).flatMap((r) => (r ? [[r.id, r] as const] : [])));
    const row = (i: number) => rows.subarray(i * dim, (i + 1) * dim);
    const norm = (v: Float32Array) => Math.hypot(...v);
    const q = row(model.vocabulary.itemIndex.get(itemId)!);
    const cosine = (i: number) => row(i).reduce((s, x, k) => s + x * q[k]!, 0) / (norm(row(i)) * norm(q));
    return ids
      .map((id, i) => ({ id, score: cosine(i) }))
      .filter(({ id }) => id !== itemId && records.get(id)?.available)
      .sort((a, b) => b.score - a.score)
      .map((r) => r.id);
  }

  it('ranks items as the model ranks them for someone whose one interaction is the item, never the item itself', async () => {
    // A user unknown to the model, whose one interaction is older than every other: their sampled
    // co-users are the item's most recent users, as similarItems samples them.
    const written = await server.graphql(
      `mutation { recordInteractions(input: [{ userId: "similar-probe", itemId: "item-0011", occurredAt: "1970-01-01T00:00:01Z" }]) { recordedCount } }`,
      {},
      { authorization: `Bearer ${WRITER}` },
    );
    expect(written.errors).toBeUndefined();
    const { data, errors } = await ask({ itemId: 'item-0011', first: 10 });
    expect(errors).toBeUndefined();
    const ids = data.similarItems.map((s: any) => s.item.id);
    expect(ids).not.toContain('item-0011');
    const recommended = await server.graphql(`{ recommendations(userId: "similar-probe", first: 10) { item { id } explanation { kind } } }`, {}, admin);
    expect(recommended.data.recommendations[0].explanation.kind).toBe('ATTENTION');
    expect(ids).toEqual(recommended.data.recommendations.map((r: any) => r.item.id));
    expect(data.similarItems.map((s: any) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const scores = data.similarItems.map((s: any) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('by item rows: ranks items by the cosine of their candidate rows', async () => {
    const { model, store } = server.app;
    const candidates = new Candidates(model.vocabulary, await store.items(model.metadata.items));
    const [list] = await new SimilarItems(store, model, candidates, { basis: 'ITEM_ROWS' }).rank([{ itemId: 'item-0011', first: 10 }]);
    expect(list!.map((s) => s.item.id)).toEqual((await bruteForce('item-0011')).slice(0, 10));
  });

  it('explains each result with the one "also chose" sentence and counts the users of both items', async () => {
    const { data } = await ask({ itemId: 'item-0011', first: 3 });
    const [source] = await server.app.store.items(['item-0011']);
    for (const similar of data.similarItems) {
      expect(similar.explanation).toEqual({
        kind: 'SIMILAR_ITEMS',
        summary: alsoChoseSentence(source!, similar.item),
        modelVersion: server.app.model.info.version,
        contributions: [],
      });
      expect(similar.explanation.summary).toBe(`People who chose “${source!.title}” also chose “${similar.item.title}”.`);
    }
    const [a, b] = await server.app.store.itemUsers(['item-0011', data.similarItems[0].item.id], SHARED_USERS_SAMPLE);
    const shared = a!.filter((u) => b!.some((v) => v.userId === u.userId)).length;
    expect(shared).toBeGreaterThan(0);
    expect(data.similarItems[0].sharedUserCount).toBe(shared);
  });

  it('leaves out what the filter excludes', async () => {
    const first = (await ask({ itemId: 'item-0011', first: 5 })).data.similarItems;
    const category = first[0].item.category;
    const { data, errors } = await ask({
      itemId: 'item-0011',
      first: 5,
      filter: { excludeCategories: [category.toUpperCase()], excludeItemIds: [first[1].item.id] },
    });
    expect(errors).toBeUndefined();
    expect(data.similarItems).toHaveLength(5);
    for (const s of data.similarItems) expect(s.item.category).not.toBe(category);
    const only = (await ask({ itemId: 'item-0011', first: 5, filter: { includeCategories: [category] } })).data.similarItems;
    for (const s of only) expect(s.item.category).toBe(category);
  });

  it("personalised: leaves out the user's items and blends in the user's model score", async () => {
    const userId = 'user-0001';
    const [neighbourhood] = await server.app.store.neighbourhoods([userId], { hop1: 1, hop2: 1 });
    const interacted = neighbourhood!.interactedItemIds;
    const source = [...interacted][0]!;
    const plain = (await ask({ itemId: source, first: 100 })).data.similarItems.map((s: any) => s.item.id);
    expect(plain.some((id: string) => interacted.has(id))).toBe(true);
    calls.clear();
    const { data, errors } = await ask({ itemId: source, first: 30, userId });
    expect(errors).toBeUndefined();
    const personal = data.similarItems.map((s: any) => s.item.id);
    expect(personal).toHaveLength(30);
    expect(personal.filter((id: string) => interacted.has(id) || id === source)).toEqual([]);
    // Blended: not merely the plain list without the user's items.
    expect(personal).not.toEqual(plain.filter((id: string) => !interacted.has(id)).slice(0, 30));
    // The item's and the user's representations, in one run.
    expect(calls.modelRuns).toEqual([2]);
  });

  it('leaves out unavailable items', async () => {
    const before = (await ask({ itemId: 'item-0042', first: 3 })).data.similarItems;
    const top = before[0].item;
    const written = await server.graphql(
      `mutation ($input: [ItemInput!]!) { upsertItems(input: $input) { updatedCount } }`,
      { input: [{ id: top.id, title: top.title, category: top.category, available: false }] },
      { authorization: `Bearer ${WRITER}` },
    );
    expect(written.errors).toBeUndefined();
    const after = (await ask({ itemId: 'item-0042', first: 3 })).data.similarItems.map((s: any) => s.item.id);
    expect(after).not.toContain(top.id);
    expect(after.slice(0, 2)).toEqual(before.slice(1).map((s: any) => s.item.id));
  });

  it('resolves similar items of 100 item references with one store call per kind and one model run', async () => {
    const items = Array.from({ length: 100 }, (_, i) => `item-${String(i + 101).padStart(4, '0')}`);
    const { data, errors } = await server.graphql(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Item { id similarItems(first: 3) { sharedUserCount item { id title } explanation { summary } } }
      } }`,
      { representations: items.map((id) => ({ __typename: 'Item', id })) },
      admin,
    );
    expect(errors).toBeUndefined();
    data._entities.forEach((i: any) => expect(i.similarItems).toHaveLength(3));
    // Items: the references, then the similar items' records. Item users: the 100 items' sampled
    // co-users, then the users of all 300 pairs' items for the shared counts.
    expect(calls.store.items).toHaveLength(2);
    expect(calls.store.itemUsers).toHaveLength(2);
    expect(calls.store.itemUsers![0]).toEqual(items);
    // And one read of the write revision, for the result cache (RESULT_CACHE).
    expect(calls.store.writeRevision).toHaveLength(1);
    expect(Object.keys(calls.store).sort()).toEqual(['itemUsers', 'items', 'writeRevision']);
    expect(calls.modelRuns).toEqual([100]);
  });

  it('batches aliases into one computation', async () => {
    const { errors } = await server.graphql(
      `{ a: similarItems(itemId: "item-0001", first: 2) { item { id } } b: similarItems(itemId: "item-0002", first: 2, userId: "user-0002") { item { id } }
         c: similarItems(itemId: "item-0003", userId: "user-0003") { item { id } } }`,
      {},
      admin,
    );
    expect(errors).toBeUndefined();
    expect(calls.store.neighbourhoods).toEqual([['user-0002', 'user-0003']]);
    expect(calls.store.items).toHaveLength(1);
    expect(calls.store.itemUsers).toEqual([['item-0001', 'item-0002', 'item-0003']]);
    // Three items and two users.
    expect(calls.modelRuns).toEqual([5]);
  });

  it('answers an unknown item with an empty list', async () => {
    const { data, errors } = await ask({ itemId: 'no-such-item' });
    expect(errors).toBeUndefined();
    expect(data.similarItems).toEqual([]);
  });

  it('refuses `first` outside 1..100 and malformed ids with BAD_USER_INPUT', async () => {
    for (const [variables, argument] of [
      [{ itemId: 'item-0011', first: 0 }, 'first'],
      [{ itemId: 'item-0011', first: 101 }, 'first'],
      [{ itemId: 'bad id' }, 'itemId'],
      [{ itemId: 'item-0011', userId: '' }, 'userId'],
      [{ itemId: 'item-0011', filter: { includeCategories: ['No Such Category'] } }, 'filter.includeCategories[0]'],
    ] as const) {
      const { errors } = await ask(variables);
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
  });

  it('is open to anyone, but personalised only for callers who may read that user', async () => {
    const open = await ask({ itemId: 'item-0011', first: 1 }, {});
    expect(open.errors).toBeUndefined();
    expect(open.data.similarItems).toHaveLength(1);
    const personal = await ask({ itemId: 'item-0011', first: 1, userId: 'user-0001' }, {});
    expect(personal.status).toBe(401);
    expect(personal.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
