import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RECOMMENDATIONS = /* GraphQL */ `
  query Recommend($userId: ID!, $first: Int, $filter: RecommendationFilter) {
    recommendations(userId: $userId, first: $first, filter: $filter) {
      rank
      score
      item { id title category }
      explanation {
        kind
        summary
        modelVersion
        contributions(first: 50) {
          hop layer weight headWeights share
          item { id title }
          user { id }
          evidence(first: 50) { hop layer weight share user { id } item { id } }
        }
      }
    }
  }
`;

const INTERACTED = /* GraphQL */ `
  query Interacted($id: ID!) {
    user(id: $id) { id interactionCount interactions(first: 100) { item { id category } } }
  }
`;

describe('recommendations over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('ranks items for a demo user with attention explanations', async () => {
    const { status, data, errors } = await server.graphql(RECOMMENDATIONS, { userId: 'user-0001', first: 10 });
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    const recommendations = data.recommendations;
    expect(recommendations).toHaveLength(10);
    expect(recommendations.map((r: any) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const scores = recommendations.map((r: any) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const top = recommendations[0];
    expect(top.item.title).toMatch(/\w+ \w+/);
    expect(top.explanation.kind).toBe('ATTENTION');
    expect(top.explanation.summary).toMatch(/^Because you (viewed|clicked|checked in at|liked|put|bought) “.+”/);
    expect(top.explanation.modelVersion).toEqual(expect.any(String));
    const contributions = top.explanation.contributions;
    expect(contributions.length).toBeGreaterThan(0);
    for (const c of contributions) {
      expect(c).toMatchObject({ hop: 1, layer: 2, user: null });
      expect(c.weight).toBeGreaterThan(0);
      expect(c.weight).toBeLessThanOrEqual(1);
    }
    // Every first-hop slot is listed (first: 50 > fan-out), so the layer-2 weights sum to 1 and
    // the shares add up to the score exactly.
    expect(contributions.reduce((s: number, c: any) => s + c.weight, 0)).toBeCloseTo(1, 4);
    expect(contributions.reduce((s: number, c: any) => s + c.share, 0)).toBeCloseTo(top.score, 3);
    const withEvidence = contributions.find((c: any) => c.evidence.length > 0);
    expect(withEvidence.evidence[0]).toMatchObject({ hop: 2, layer: 1, item: { id: withEvidence.item.id } });
    expect(withEvidence.evidence[0].user.id).not.toBe('user-0001');
  });

  it('explains with the user’s own items and never recommends them', async () => {
    const [recs, history] = await Promise.all([
      server.graphql(RECOMMENDATIONS, { userId: 'user-0002', first: 100 }),
      server.graphql(INTERACTED, { id: 'user-0002' }),
    ]);
    const own = new Set(history.data.user.interactions.map((i: any) => i.item.id));
    expect(history.data.user.interactionCount).toBeLessThanOrEqual(100);
    expect(recs.data.recommendations).toHaveLength(100);
    for (const r of recs.data.recommendations) {
      expect(own.has(r.item.id)).toBe(false);
      for (const c of r.explanation.contributions) expect(own.has(c.item.id)).toBe(true);
    }
  });

  it('applies category and item filters', async () => {
    const all = await server.graphql(RECOMMENDATIONS, { userId: 'user-0003', first: 5 });
    const topIds = all.data.recommendations.map((r: any) => r.item.id);
    const jazzOnly = await server.graphql(RECOMMENDATIONS, {
      userId: 'user-0003',
      first: 20,
      filter: { includeCategories: ['Jazz'] },
    });
    expect(jazzOnly.data.recommendations.length).toBe(20);
    expect(new Set(jazzOnly.data.recommendations.map((r: any) => r.item.category))).toEqual(new Set(['Jazz']));
    const excluded = await server.graphql(RECOMMENDATIONS, {
      userId: 'user-0003',
      first: 20,
      filter: { excludeCategories: ['Jazz', 'Tea'], excludeItemIds: topIds },
    });
    for (const r of excluded.data.recommendations) {
      expect(['Jazz', 'Tea']).not.toContain(r.item.category);
      expect(topIds).not.toContain(r.item.id);
    }
  });

  it('compares filter categories without regard to case, and refuses one the catalogue lacks', async () => {
    const filtered = async (filter: Record<string, unknown>) =>
      server.graphql(RECOMMENDATIONS, { userId: 'user-0003', first: 10, filter });
    const exact = await filtered({ includeCategories: ['Jazz'] });
    const folded = await filtered({ includeCategories: ['jAZZ'] });
    expect(folded.errors).toBeUndefined();
    expect(folded.data.recommendations).toEqual(exact.data.recommendations);
    const excluded = await filtered({ excludeCategories: ['JAZZ'] });
    for (const r of excluded.data.recommendations) expect(r.item.category).not.toBe('Jazz');
    const unknown = await filtered({ includeCategories: ['Jazz', 'Polka'] });
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'filter.includeCategories[1]' });
  });

  it('makes sense: a user who mostly consumes one category is mostly recommended that category', async () => {
    const { data } = await server.graphql(/* GraphQL */ `
      {
        users(first: 100) {
          nodes {
            interactions(first: 100) { item { category } }
            recommendations(first: 10) { item { category } }
          }
        }
      }
    `);
    const agreement: number[] = [];
    for (const user of data.users.nodes) {
      const counts = new Map<string, number>();
      for (const i of user.interactions) counts.set(i.item.category, (counts.get(i.item.category) ?? 0) + 1);
      const [favourite, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
      if (n / user.interactions.length < 0.7) continue;
      agreement.push(user.recommendations.filter((r: any) => r.item.category === favourite).length / 10);
    }
    expect(agreement.length).toBeGreaterThan(10);
    expect(agreement.reduce((a, b) => a + b, 0) / agreement.length).toBeGreaterThan(0.6);
  });

  it('rejects `first` outside 1..100 with BAD_USER_INPUT naming the argument', async () => {
    for (const first of [0, 101, -3]) {
      const { status, errors } = await server.graphql(RECOMMENDATIONS, { userId: 'user-0001', first });
      expect(status).toBe(200);
      expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
      expect(errors![0]!.message).toContain('between 1 and 100');
    }
  });
});
