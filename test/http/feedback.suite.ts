import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLeg } from '../support/store-legs.js';
import { startTestServerOn, type TestServer } from '../support/test-server.js';

const RECOMMEND = /* GraphQL */ `
  query ($userId: ID, $first: Int, $context: RecommendationContext) {
    recommendations(userId: $userId, first: $first, context: $context) { recommendationId variant rank item { id } }
  }
`;
const PAGE = /* GraphQL */ `
  query ($userId: ID!, $after: String) {
    recommendationList(userId: $userId, first: 3, after: $after) { recommendationId variant nodes { recommendationId rank item { id } } pageInfo { endCursor } }
  }
`;
const SIMILAR = /* GraphQL */ `
  query ($itemId: ID!) { similarItems(itemId: $itemId, first: 4) { recommendationId variant rank item { id } } }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount interactions { recommendationId } } }
`;
const REPORT = /* GraphQL */ `
  query ($since: DateTime) {
    feedbackReport(since: $since) {
      experiment { name }
      variants {
        experiment variant surface answers impressions clicks conversions
        clickThroughRate { estimate low high } conversionRate { estimate low high } versusControl { control }
        byModelVersion { modelVersion impressions clicks }
      }
    }
  }
`;

export function describeFeedback(leg: StoreLeg): void {
  describe(`feedback on served recommendations over HTTP (${leg.name} store)`, () => {
    let server: TestServer;
    let version: string;
    beforeAll(async () => {
      server = await startTestServerOn(leg);
      version = server.app.model.info.version;
    });
    afterAll(() => server?.close());

    const ok = async (query: string, variables: Record<string, unknown>) => {
      const { data, errors } = await server.graphql(query, variables);
      expect(errors).toBeUndefined();
      return data;
    };
    const report = async (since: Date) => {
      await server.app.flushImpressions();
      return (await ok(REPORT, { since: since.toISOString() })).feedbackReport;
    };

    it('names every answer: one recommendationId for its items, another for the next answer, one for all pages of a list', async () => {
      const [a, b] = await Promise.all([ok(RECOMMEND, { userId: 'user-0205', first: 5 }), ok(RECOMMEND, { userId: 'user-0205', first: 5 })]);
      const ids = (list: any[]) => new Set(list.map((r) => r.recommendationId));
      expect(ids(a.recommendations).size).toBe(1);
      expect(ids(b.recommendations).size).toBe(1);
      expect([...ids(a.recommendations)][0]).not.toBe([...ids(b.recommendations)][0]);
      expect(a.recommendations.every((r: any) => r.variant === null)).toBe(true);
      const first = (await ok(PAGE, { userId: 'user-0205' })).recommendationList;
      const second = (await ok(PAGE, { userId: 'user-0205', after: first.pageInfo.endCursor })).recommendationList;
      expect(second.recommendationId).toBe(first.recommendationId);
      expect([...first.nodes, ...second.nodes].every((r: any) => r.recommendationId === first.recommendationId)).toBe(true);
      const similar = (await ok(SIMILAR, { itemId: a.recommendations[0].item.id })).similarItems;
      expect(ids(similar).size).toBe(1);
    });

    it('counts impressions, clicks and conversions from the interactions that name an answer, once per impression', async () => {
      const since = new Date();
      const shown = (await ok(RECOMMEND, { userId: 'user-0211', first: 5 })).recommendations;
      const recommendationId = shown[0].recommendationId;
      const catalogue = (await ok('query { items(first: 10) { nodes { id } } }', {})).items.nodes.map((i: any) => i.id);
      const notShown = catalogue.find((id: string) => !shown.some((r: any) => r.item.id === id));
      const recorded = await ok(RECORD, {
        input: [
          { userId: 'user-0211', itemId: shown[0].item.id, type: 'CLICK', recommendationId },
          { userId: 'user-0211', itemId: shown[0].item.id, type: 'PURCHASE', recommendationId },
          { userId: 'user-0211', itemId: shown[3].item.id, type: 'VIEW', recommendationId },
          // Not shown in that answer, or by another user: no click.
          { userId: 'user-0211', itemId: notShown, type: 'VIEW', recommendationId },
          { userId: 'user-0212', itemId: shown[1].item.id, type: 'CLICK', recommendationId },
        ],
      });
      expect(recorded.recordInteractions.interactions[0].recommendationId).toBe(recommendationId);
      const { variants, experiment } = await report(since);
      expect(experiment).toBeNull();
      expect(variants).toHaveLength(1);
      const [feedback] = variants;
      expect(feedback).toMatchObject({ experiment: null, variant: null, surface: 'RECOMMENDATIONS', answers: 1, impressions: 5, clicks: 2, conversions: 1 });
      expect(feedback.clickThroughRate.estimate).toBeCloseTo(0.4, 10);
      expect(feedback.clickThroughRate.low).toBeLessThan(0.4);
      expect(feedback.clickThroughRate.high).toBeGreaterThan(0.4);
      expect(feedback.versusControl).toBeNull();
      expect(feedback.byModelVersion).toEqual([{ modelVersion: version, impressions: 5, clicks: 2 }]);
    });

    it('counts an item page’s similar items and an anonymous visit, where anyone’s interaction counts', async () => {
      const since = new Date();
      const [first, second] = (await ok('query { items(first: 2) { nodes { id } } }', {})).items.nodes.map((i: any) => i.id);
      const similar = (await ok(SIMILAR, { itemId: first })).similarItems;
      const visit = (await ok(RECOMMEND, { context: { itemIds: [first, second] }, first: 3 })).recommendations;
      await ok(RECORD, {
        input: [
          { userId: 'visitor-new-1', itemId: similar[0].item.id, type: 'CLICK', recommendationId: similar[0].recommendationId },
          { userId: 'visitor-new-2', itemId: visit[2].item.id, type: 'PURCHASE', recommendationId: visit[0].recommendationId },
        ],
      });
      const { variants } = await report(since);
      const bySurface = Object.fromEntries(variants.map((v: any) => [v.surface, [v.answers, v.impressions, v.clicks, v.conversions]]));
      expect(bySurface).toEqual({ RECOMMENDATIONS: [1, 3, 1, 1], SIMILAR_ITEMS: [1, 4, 1, 0] });
    });

    it('refuses a recommendationId that is no id, and records nothing', async () => {
      const [item] = (await ok('query { items(first: 1) { nodes { id } } }', {})).items.nodes.map((i: any) => i.id);
      const { errors } = await server.graphql(RECORD, {
        input: [
          { userId: 'user-0213', itemId: item },
          { userId: 'user-0213', itemId: item, recommendationId: 'x'.repeat(201) },
        ],
      });
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input[1].recommendationId' });
      const { data } = await server.graphql('query { user(id: "user-0213") { interactions(first: 100) { item { id } occurredAt } } }');
      expect(data.user.interactions.filter((i: any) => Date.now() - Date.parse(i.occurredAt) < 60_000)).toEqual([]);
    });

    it('shows its counters in /metrics', async () => {
      const shown = (await ok(RECOMMEND, { userId: 'user-0214', first: 2 })).recommendations;
      await ok(RECORD, { input: [{ userId: 'user-0214', itemId: shown[0].item.id, type: 'PURCHASE', recommendationId: shown[0].recommendationId }] });
      const text = await (await fetch(server.app.metricsUrl)).text();
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
      expect(value(new RegExp(`recograph_recommendation_impressions_total\\{surface="RECOMMENDATIONS",experiment="none",variant="none",model_version="${version}"\\} (\\d+)`))).toBeGreaterThanOrEqual(2);
      expect(value(new RegExp(`recograph_recommendation_feedback_total\\{kind="conversion",surface="RECOMMENDATIONS",experiment="none",variant="none",model_version="${version}"\\} (\\d+)`))).toBeGreaterThanOrEqual(1);
    });

    it('erases the impressions served to a user with the user', async () => {
      const since = new Date();
      const shown = (await ok(RECOMMEND, { userId: 'user-0215', first: 3 })).recommendations;
      await ok(RECORD, { input: [{ userId: 'user-0215', itemId: shown[0].item.id, type: 'CLICK', recommendationId: shown[0].recommendationId }] });
      expect((await report(since)).variants).toHaveLength(1);
      await ok('mutation ($id: ID!) { deleteUser(id: $id) { deleted } }', { id: 'user-0215' });
      expect((await report(since)).variants).toEqual([]);
    });
  });
}
