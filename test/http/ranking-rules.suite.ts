import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls } from '../support/call-recorder.js';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const RANKED = /* GraphQL */ `
  query Ranked($userId: ID!, $first: Int, $rules: RankingRules, $diversity: Float, $maxPerCategory: Int) {
    recommendations(userId: $userId, first: $first, rules: $rules, diversity: $diversity, maxPerCategory: $maxPerCategory) {
      rank
      score
      item { id category available }
      explanation { kind summary rules { kind name factor position } contributions(first: 3) { share } }
    }
  }
`;

const HISTORY = /* GraphQL */ `
  query History($id: ID!) { user(id: $id) { interactions(first: 100) { item { id } } } }
`;

const USER = 'user-0001';
const ids = (list: any[]) => list.map((r) => r.item.id);
const categories = (list: any[]) => list.map((r) => r.item.category);

export function describeRankingRules(leg: StoreLeg): void {
  describe(`ranking rules and diversity over HTTP (${leg.name} store)`, () => {
    const { calls, decorators } = recordCalls();
    let server: TestServer;
    let plain: any[];
    beforeAll(async () => {
      server = await startTestServerOn(leg, decorators);
      plain = (await server.graphql(RANKED, { userId: USER, first: 20 })).data.recommendations;
    });
    afterAll(() => server?.close());
    beforeEach(() => calls.clear());

    it('boosts a category the plain ranking puts low, saying so in the explanation', async () => {
      // The category rarest in the plain top 20 among those of the next 80 (all within the policy's pool).
      const deeper = (await server.graphql(RANKED, { userId: USER, first: 100 })).data.recommendations.slice(20);
      const inTop = (category: string) => plain.filter((r) => r.item.category === category).length;
      const low = categories(deeper).sort((a: string, b: string) => inTop(a) - inTop(b))[0] as string;
      expect(inTop(low)).toBeLessThan(20);
      const { data, errors } = await server.graphql(RANKED, {
        userId: USER,
        first: 20,
        rules: { boosts: [{ name: 'Push it', categories: [low.toUpperCase()], factor: 5 }] },
      });
      expect(errors).toBeUndefined();
      const list = data.recommendations;
      expect(list[0].item.category).toBe(low);
      const boosted = list.filter((r: any) => r.item.category === low);
      expect(boosted.length).toBeGreaterThan(plain.filter((r) => r.item.category === low).length);
      for (const r of boosted) {
        expect(r.explanation.kind).toBe('ATTENTION');
        expect(r.explanation.rules).toEqual([{ kind: 'BOOST', name: 'Push it', factor: 5, position: null }]);
        expect(r.explanation.summary).toMatch(/Boosted by rule “Push it”\.$/);
        expect(r.explanation.contributions.length).toBeGreaterThan(0);
      }
      for (const r of list.filter((r: any) => r.item.category !== low)) expect(r.explanation.rules).toEqual([]);
      expect(list.map((r: any) => r.rank)).toEqual(list.map((_: any, k: number) => k + 1));
    });

    it('buries an item out of the top, and a default name describes the rule', async () => {
      const top = plain[0].item.id;
      const { data } = await server.graphql(RANKED, { userId: USER, first: 20, rules: { boosts: [{ itemIds: [top], factor: 0.01 }] } });
      expect(ids(data.recommendations)).not.toContain(top);
      const all = (await server.graphql(RANKED, { userId: USER, first: 100, rules: { boosts: [{ itemIds: [top], factor: 0.5 }] } })).data;
      const buried = all.recommendations.find((r: any) => r.item.id === top);
      expect(buried.rank).toBeGreaterThan(1);
      expect(buried.explanation.rules).toEqual([{ kind: 'BURY', name: `bury ${top} ×0.5`, factor: 0.5, position: null }]);
    });

    it('pins an item the ranking did not reach at its position, scored by the model, explained by the rule', async () => {
      const far = (await server.graphql(RANKED, { userId: USER, first: 100 })).data.recommendations.at(-1);
      const { data } = await server.graphql(RANKED, { userId: USER, first: 5, rules: { pins: [{ name: 'Hero', itemId: far.item.id, position: 2 }] } });
      const list = data.recommendations;
      expect(list).toHaveLength(5);
      expect(list[1].item.id).toBe(far.item.id);
      expect(list[1].score).toBeCloseTo(far.score, 4);
      expect(ids(list).filter((id: string) => id !== far.item.id)).toEqual(ids(plain).slice(0, 4));
      // Ranked 100th, within the pool of first + 100: it keeps its attention evidence.
      expect(list[1].explanation.kind).toBe('ATTENTION');
      expect(list[1].explanation.rules).toEqual([{ kind: 'PIN', name: 'Hero', factor: null, position: 2 }]);
      expect(list[1].explanation.summary).toMatch(/Placed here by rule “Hero”\.$/);

      // Filtered out of the ranking, a pinned item still takes its place, with no model evidence to give.
      const filtered = await server.graphql(
        `query ($userId: ID!, $rules: RankingRules, $filter: RecommendationFilter) {
          recommendations(userId: $userId, first: 5, rules: $rules, filter: $filter) { score item { id } explanation { kind summary rules { kind } contributions { share } } }
        }`,
        { userId: USER, filter: { excludeItemIds: [far.item.id] }, rules: { pins: [{ name: 'Hero', itemId: far.item.id, position: 2 }] } },
      );
      const pinned = filtered.data.recommendations[1];
      expect(pinned.item.id).toBe(far.item.id);
      expect(pinned.score).toBeCloseTo(far.score, 4);
      expect(pinned.explanation).toEqual({ kind: 'RULE', summary: 'Placed here by rule “Hero”.', rules: [{ kind: 'PIN' }], contributions: [] });
    });

    it('never pins an item the user interacted with out of the rules, nor an unknown one', async () => {
      const history = (await server.graphql(HISTORY, { id: USER })).data.user.interactions.map((i: any) => i.item.id);
      const { data } = await server.graphql(RANKED, {
        userId: USER,
        first: 3,
        rules: { pins: [{ itemId: 'no-such-item', position: 1 }] },
      });
      expect(ids(data.recommendations)).toEqual(ids(plain).slice(0, 3));
      const repeat = await server.graphql(RANKED, { userId: USER, first: 100, rules: { includeInteracted: true } });
      expect(ids(repeat.data.recommendations).some((id: string) => history.includes(id))).toBe(true);
      expect(ids(plain).some((id: string) => history.includes(id))).toBe(false);
    });

    it('caps each category and raises category variety with diversity, in one model run for all variants', async () => {
      const query = /* GraphQL */ `
        query Variants($userId: ID!) {
          plain: recommendations(userId: $userId, first: 10) { item { id category } }
          capped: recommendations(userId: $userId, first: 10, maxPerCategory: 2) { item { id category } }
          diverse: recommendations(userId: $userId, first: 10, diversity: 0.7) { item { id category } explanation { summary } }
        }
      `;
      const { data, errors } = await server.graphql(query, { userId: USER });
      expect(errors).toBeUndefined();
      const perCategory = new Map<string, number>();
      for (const category of categories(data.capped)) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
      expect(Math.max(...perCategory.values())).toBeLessThanOrEqual(2);
      // The capped pool is wide enough to fill the answer on the demo data.
      expect(data.capped).toHaveLength(10);
      expect(new Set(categories(data.capped)).size).toBeGreaterThan(new Set(categories(data.plain)).size);
      expect(new Set(categories(data.diverse)).size).toBeGreaterThan(new Set(categories(data.plain)).size);
      expect(data.diverse[0].item.id).toBe(data.plain[0].item.id);
      // One model run, a row per variant.
      expect(calls.modelRuns).toEqual([3]);
    });

    it('rejects bad rules as BAD_USER_INPUT naming the argument', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ diversity: 1.5 }, 'diversity'],
        [{ maxPerCategory: 0 }, 'maxPerCategory'],
        [{ rules: { boosts: [{ categories: ['no such category'], factor: 2 }] } }, 'rules.boosts[0].categories[0]'],
        [{ rules: { boosts: [{ itemIds: ['item-0001'], factor: 0 }] } }, 'rules.boosts[0]'],
        [{ rules: { boosts: [{ factor: 2 }] } }, 'rules.boosts[0]'],
        [{ rules: { pins: [{ itemId: 'item-0001', position: 1 }, { itemId: 'item-0002', position: 1 }] } }, 'rules.pins[1]'],
        [{ rules: { pins: [{ itemId: 'item-0001', position: 101 }] } }, 'rules.pins[0].position'],
        [{ rules: { pins: [{ name: '', itemId: 'item-0001', position: 1 }] } }, 'rules.pins[0].name'],
      ];
      for (const [variables, argument] of cases) {
        const { data, errors } = await server.graphql(RANKED, { userId: USER, ...variables });
        expect(data).toBeNull();
        expect(errors![0]!.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      }
    });
  });
}
