import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedQueries, readmeCodeBlocks } from '../support/documented-queries.js';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

/** The operations recograph answers alone; `supergraph/` ones run in test/federation/supergraph.test.ts. */
const standalone = documentedQueries().filter((q) => !q.name.startsWith('supergraph/'));
// Queries first, so that the documented answers are those of the untouched demo data.
const ordered = [...standalone.filter((q) => !q.source.startsWith('mutation')), ...standalone.filter((q) => q.source.startsWith('mutation'))];

const round = (value: unknown): unknown =>
  typeof value === 'number'
    ? Math.round(value * 1e4) / 1e4
    : Array.isArray(value)
      ? value.map(round)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]))
        : value;

export function describeDocumentedQueries(leg: StoreLeg): void {
  describe(`the documented queries (docs/queries and README) run against the demo data (${leg.name} store)`, () => {
    let server: TestServer;
    const answers = new Map<string, unknown>();
    beforeAll(async () => {
      server = await startTestServerOn(leg);
    });
    afterAll(() => server?.close());

    it('are the same operations in docs/queries as in the README', () => {
      const inReadme = readmeCodeBlocks().filter((b) => b.lang === 'graphql').map((b) => b.text);
      expect([...inReadme].sort()).toEqual(documentedQueries().map((q) => q.source).sort());
    });

    it.each(ordered.map((q) => [q.name, q.source] as const))('%s answers without errors', async (name, source) => {
      const { status, data, errors } = await server.graphql(source);
      expect(errors).toBeUndefined();
      expect(status).toBe(200);
      expect(Object.values(data ?? {}).every((v) => v !== null)).toBe(true);
      answers.set(name, data);
    });

    it('gives the answer the README shows for the first query', () => {
      const blocks = readmeCodeBlocks();
      const query = standalone.find((q) => q.name === 'recommendations.graphql')!;
      const at = blocks.findIndex((b) => b.text === query.source);
      const shown = blocks.slice(at + 1).find((b) => b.lang === 'json');
      expect(shown, 'a ```json block after the query in README.md').toBeDefined();
      expect(round({ data: answers.get(query.name) })).toEqual(JSON.parse(shown!.text));
    });
  });
}
