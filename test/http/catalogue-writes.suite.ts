import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const UPSERT = /* GraphQL */ `
  mutation ($input: [ItemInput!]!) {
    upsertItems(input: $input) {
      createdCount
      updatedCount
      items { id title category description tags available }
    }
  }
`;
const ITEM = `query ($id: ID!) { item(id: $id) { id title category description tags available } }`;
const FALLBACK = `query ($userId: ID!) { recommendations(userId: $userId, first: 100) { item { id } explanation { kind } } }`;
const RANKED = `query ($userId: ID!, $first: Int = 20) { recommendations(userId: $userId, first: $first) { item { id modelKnowledge } explanation { kind summary } } }`;

// Every item this suite writes is new to the demo catalogue, or put back as it was, so that suites
// after it on a shared store see the demo data.
export function describeCatalogueWrites(leg: StoreLeg): void {
  describe(`writing the catalogue through the API (${leg.name} store)`, () => {
    let server: TestServer;
    beforeAll(async () => {
      // A quick catalogue sync, for the test of writes made elsewhere.
      server = await startTestServerOn(leg, {}, { CATALOGUE_SYNC_MS: '100' });
    });
    afterAll(() => server?.close());

    const item = async (id: string) => (await server.graphql(ITEM, { id })).data.item;

    it('creates and replaces whole items, returns them as stored, and a retry changes nothing', async () => {
      const full = { id: 'catalogue-1', title: 'Field Recordings', category: 'Jazz', description: 'Rain on a tin roof.\nSide B.', tags: ['ambient', 'live'], available: false };
      const created = await server.graphql(UPSERT, { input: [full, { id: 'catalogue-2', title: 'Quiet Hours' }] });
      expect(created.errors).toBeUndefined();
      expect(created.data.upsertItems).toEqual({
        createdCount: 2,
        updatedCount: 0,
        items: [full, { id: 'catalogue-2', title: 'Quiet Hours', category: null, description: null, tags: [], available: true }],
      });
      expect(await item('catalogue-1')).toEqual(full);

      const retried = await server.graphql(UPSERT, { input: [full] });
      expect(retried.data.upsertItems).toMatchObject({ createdCount: 0, updatedCount: 0, items: [full] });

      // A field left out is cleared, not kept; an explicit null is the same as leaving it out.
      const replaced = await server.graphql(UPSERT, { input: [{ id: 'catalogue-1', title: 'Field Recordings', available: null, tags: null }] });
      expect(replaced.data.upsertItems).toMatchObject({ createdCount: 0, updatedCount: 1 });
      expect(await item('catalogue-1')).toEqual({ id: 'catalogue-1', title: 'Field Recordings', category: null, description: null, tags: [], available: true });
    });

    it.each([
      ['an id with spaces', { id: 'catalogue 3', title: 'T' }, 'input[1].id'],
      ['an empty title', { id: 'catalogue-3', title: '' }, 'input[1].title'],
      ['a title of 301 characters', { id: 'catalogue-3', title: 'T'.repeat(301) }, 'input[1].title'],
      ['a title with a line break', { id: 'catalogue-3', title: 'Two\nlines' }, 'input[1].title'],
      ['an empty category', { id: 'catalogue-3', title: 'T', category: '' }, 'input[1].category'],
      ['a description of 4001 characters', { id: 'catalogue-3', title: 'T', description: 'd'.repeat(4001) }, 'input[1].description'],
      ['33 tags', { id: 'catalogue-3', title: 'T', tags: Array.from({ length: 33 }, (_, k) => `tag-${k}`) }, 'input[1].tags'],
      ['an empty tag', { id: 'catalogue-3', title: 'T', tags: ['fine', ''] }, 'input[1].tags[1]'],
      ['a tag of 65 characters', { id: 'catalogue-3', title: 'T', tags: ['t'.repeat(65)] }, 'input[1].tags[0]'],
      ['an id given twice', { id: 'catalogue-4', title: 'Again' }, 'input[1].id'],
    ])('refuses %s, naming the entry, and writes nothing of the call', async (_, bad, argument) => {
      const { status, errors } = await server.graphql(UPSERT, { input: [{ id: 'catalogue-4', title: 'Never written' }, bad] });
      expect(status).toBe(200);
      expect(errors).toHaveLength(1);
      expect(errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
      expect(errors![0]!.message).toContain(argument);
      expect(await item('catalogue-4')).toBeNull();
      expect(await item('catalogue-3')).toBeNull();
    });

    it('refuses an empty or oversized call', async () => {
      for (const input of [[], Array.from({ length: 1001 }, (_, k) => ({ id: `bulk-${k}`, title: 'Bulk' }))]) {
        const { errors } = await server.graphql(UPSERT, { input });
        expect(errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'input' });
      }
      expect(await item('bulk-0')).toBeNull();
    });

    it('keeps a withdrawn item out of the model’s recommendations from the very next query, and back once offered again', async () => {
      const ranked = async () => (await server.graphql(RANKED, { userId: 'user-0001' })).data.recommendations as any[];
      const before = await ranked();
      expect(before[0].explanation.kind).toBe('ATTENTION');
      const top = before[0].item.id as string;
      const stored = await item(top);
      try {
        await server.graphql(UPSERT, { input: [{ ...stored, available: false }] });
        const after = await ranked();
        expect(after.map((r) => r.item.id)).not.toContain(top);
        expect(after[0].item.id).toBe(before[1].item.id);
      } finally {
        await server.graphql(UPSERT, { input: [stored] });
      }
      expect((await ranked())[0].item.id).toBe(top);
    });

    it('recommends a new item known only by its text to a user of that taste on the very next query, saying so', async () => {
      // The demo model's map places a text-only item near, not at, a trained item's row (held-out mean cosine 0.80, docs/content.md): the test asks for the top 50, not the top 5.
      const ranked = async () => (await server.graphql(RANKED, { userId: 'user-0001', first: 50 })).data.recommendations as any[];
      const [top] = await ranked();
      const like = await item(top.item.id);
      const fresh = { id: 'catalogue-content', title: `${like.title} Reissued`, category: like.category, description: `More ${like.title}.` };
      try {
        expect((await server.graphql(UPSERT, { input: [fresh] })).errors).toBeUndefined();
        expect((await server.graphql(`{ item(id: "catalogue-content") { modelKnowledge } }`)).data.item).toEqual({ modelKnowledge: 'CONTENT' });
        const recommended = (await ranked()).find((r) => r.item.id === fresh.id);
        expect(recommended).toMatchObject({ item: { modelKnowledge: 'CONTENT' }, explanation: { kind: 'CONTENT' } });
        expect(recommended.explanation.summary).toMatch(/^New, and similar in content to “.+”: you (viewed|clicked|checked in at|liked|put|bought) /);
      } finally {
        // Withdrawn again, so suites after this one on a shared store rank as before it.
        await server.graphql(UPSERT, { input: [{ ...fresh, available: false }] });
      }
      expect((await ranked()).map((r) => r.item.id)).not.toContain(fresh.id);
    });

    it('follows item writes made elsewhere (another API process, the import): a withdrawal at once, a new item by the next sync', async () => {
      const ranked = async () => (await server.graphql(RANKED, { userId: 'user-0001', first: 50 })).data.recommendations as any[];
      const before = await ranked();
      const top = await item(before[0].item.id);
      const like = await item(before[1].item.id);
      const elsewhere = { id: 'catalogue-elsewhere', title: `${like.title} Reissued`, category: like.category, description: like.description };
      try {
        // Straight into the store, past this process's API, as another process would.
        await server.app.store.upsertItems([{ ...top, available: false }, elsewhere]);
        expect((await ranked()).map((r) => r.item.id)).not.toContain(top.id);
        for (let attempt = 0; attempt < 100; attempt++) {
          if ((await server.graphql(`{ item(id: "catalogue-elsewhere") { modelKnowledge } }`)).data.item.modelKnowledge === 'CONTENT') break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect((await server.graphql(`{ item(id: "catalogue-elsewhere") { modelKnowledge } }`)).data.item.modelKnowledge).toBe('CONTENT');
        expect((await ranked()).map((r) => r.item.id)).toContain(elsewhere.id);
      } finally {
        await server.graphql(UPSERT, { input: [top, { ...elsewhere, available: false }] });
      }
    });

    it('keeps an unavailable item out of the popularity fallback from the very next query, and lists it', async () => {
      const newcomer = 'catalogue-newcomer';
      const before = (await server.graphql(FALLBACK, { userId: newcomer })).data.recommendations;
      expect(before[0].explanation.kind).toBe('POPULARITY_FALLBACK');
      const top = before[0].item.id as string;
      const stored = await item(top);
      try {
        await server.graphql(UPSERT, { input: [{ ...stored, available: false }] });
        const after = (await server.graphql(FALLBACK, { userId: newcomer })).data.recommendations;
        expect(after.map((r: any) => r.item.id)).not.toContain(top);
        expect(after[0].item.id).toBe(before[1].item.id);
        expect(await item(top)).toMatchObject({ id: top, available: false });
      } finally {
        await server.graphql(UPSERT, { input: [stored] });
      }
      expect((await server.graphql(FALLBACK, { userId: newcomer })).data.recommendations[0].item.id).toBe(top);
    });
  });
}
