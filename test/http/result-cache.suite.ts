import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const FALLBACK = `query ($userId: ID!) { recommendations(userId: $userId, first: 5) { recommendationId score item { id } explanation { kind } } }`;
const SIMILAR = `query ($itemId: ID!) { similarItems(itemId: $itemId, first: 5) { recommendationId item { id } } }`;
const ITEM = `query ($id: ID!) { item(id: $id) { id title category description tags available } }`;
const UPSERT = `mutation ($input: [ItemInput!]!) { upsertItems(input: $input) { updatedCount } }`;
const RECORD = `mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }`;
const DELETE = `mutation ($id: ID!) { deleteUser(id: $id) { deleted } }`;

/** `recograph_result_cache_requests_total` of one cache and outcome, as `/metrics` reports it. */
async function lookups(server: TestServer, cache: 'popularity' | 'similar_items', outcome: 'hit' | 'miss'): Promise<number> {
  const text = await (await fetch(server.app.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`recograph_result_cache_requests_total{cache="${cache}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Items served in answers, as `/metrics` counts them (once per answer, cached or not). */
async function impressions(server: TestServer): Promise<number> {
  const text = await (await fetch(server.app.metricsUrl)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('recograph_recommendation_impressions_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

// Two API servers on one store, each with its own result cache: what one writes, the other's very
// next answer shows. Every write is undone, so suites after this one on a shared store see the demo data.
export function describeResultCache(leg: StoreLeg): void {
  describe(`result cache (${leg.name} store)`, () => {
    let writer: TestServer;
    let reader: TestServer;
    beforeAll(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'recograph-http-'));
      // One after the other: the first seeds the demo data, the second finds it.
      writer = await startTestServer({ auditDestination: { write: () => {} } }, leg.env(dataDir));
      reader = await startTestServer({}, leg.env(dataDir));
      // Run alone on an erased Neo4j, the writer seeds the demo data: minutes on a busy machine.
    }, 300_000);
    afterAll(async () => {
      await reader?.close();
      await writer?.close();
    });

    const fallback = async (server: TestServer, userId: string) => {
      const { data, errors } = await server.graphql(FALLBACK, { userId });
      expect(errors).toBeUndefined();
      return data.recommendations as { recommendationId: string; score: number; item: { id: string }; explanation: { kind: string } }[];
    };
    const similar = async (server: TestServer, itemId: string) => {
      const { data, errors } = await server.graphql(SIMILAR, { itemId });
      expect(errors).toBeUndefined();
      return data.similarItems as { recommendationId: string; item: { id: string } }[];
    };
    const ids = (list: readonly { item: { id: string } }[]) => list.map((r) => r.item.id);

    it('serves a repeated popularity fallback from the cache, each answer with its own recommendationId and impressions', async () => {
      const hits = await lookups(reader, 'popularity', 'hit');
      const shown = await impressions(reader);
      const first = await fallback(reader, 'cache-newcomer-1');
      const second = await fallback(reader, 'cache-newcomer-2');
      expect(first[0]!.explanation.kind).toBe('POPULARITY_FALLBACK');
      expect(ids(second)).toEqual(ids(first));
      expect(await lookups(reader, 'popularity', 'hit')).toBeGreaterThan(hits);
      expect(second[0]!.recommendationId).not.toBe(first[0]!.recommendationId);
      expect(await impressions(reader)).toBe(shown + first.length + second.length);
    });

    it('changes a cached popularity fallback on the very next query after interactions or an erasure written by another process', async () => {
      const before = await fallback(reader, 'cache-newcomer');
      await fallback(reader, 'cache-newcomer');
      const [top, runnerUp] = before;
      // Enough new users of the runner-up to put it first.
      const fans = Array.from({ length: top!.score - runnerUp!.score + 1 }, (_, k) => `cache-fan-${k}`);
      const recorded = await writer.graphql(RECORD, { input: fans.map((userId) => ({ userId, itemId: runnerUp!.item.id, type: 'LIKE' })) });
      expect(recorded.data.recordInteractions.recordedCount).toBe(fans.length);
      try {
        expect((await fallback(reader, 'cache-newcomer'))[0]!.item.id).toBe(runnerUp!.item.id);
        expect((await fallback(writer, 'cache-newcomer'))[0]!.item.id).toBe(runnerUp!.item.id);
      } finally {
        for (const id of fans) expect((await writer.graphql(DELETE, { id })).data.deleteUser.deleted).toBe(true);
      }
      expect(ids(await fallback(reader, 'cache-newcomer'))).toEqual(ids(before));
    });

    it('serves similar items for no user from the cache, and drops an item withdrawn by another process from the very next answer', async () => {
      const source = (await fallback(reader, 'cache-newcomer'))[0]!.item.id;
      const hits = await lookups(reader, 'similar_items', 'hit');
      const before = await similar(reader, source);
      const again = await similar(reader, source);
      expect(ids(again)).toEqual(ids(before));
      expect(again[0]!.recommendationId).not.toBe(before[0]!.recommendationId);
      expect(await lookups(reader, 'similar_items', 'hit')).toBe(hits + 1);

      const withdrawn = (await reader.graphql(ITEM, { id: before[0]!.item.id })).data.item;
      expect((await writer.graphql(UPSERT, { input: [{ ...withdrawn, available: false }] })).data.upsertItems.updatedCount).toBe(1);
      try {
        expect(ids(await similar(reader, source))).not.toContain(withdrawn.id);
      } finally {
        await writer.graphql(UPSERT, { input: [withdrawn] });
      }
    });
  });
}

/** With `RESULT_CACHE=false` nothing is looked up, so `/metrics` reports no lookups at all. */
export function describeResultCacheOff(leg: StoreLeg): void {
  describe(`result cache off (${leg.name} store)`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({}, { ...leg.env(mkdtempSync(join(tmpdir(), 'recograph-http-'))), RESULT_CACHE: 'false' });
    });
    afterAll(() => server?.close());

    it('computes every answer', async () => {
      const first = (await server.graphql(FALLBACK, { userId: 'cache-off' })).data.recommendations;
      await server.graphql(FALLBACK, { userId: 'cache-off' });
      await server.graphql(SIMILAR, { itemId: first[0].item.id });
      for (const cache of ['popularity', 'similar_items'] as const) {
        expect(await lookups(server, cache, 'hit')).toBe(0);
        expect(await lookups(server, cache, 'miss')).toBe(0);
      }
    });
  });
}
