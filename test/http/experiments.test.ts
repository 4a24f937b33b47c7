import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RECOMMEND = /* GraphQL */ `
  query ($userId: ID!) { recommendations(userId: $userId, first: 10) { recommendationId variant item { id category } } }
`;
const RECORD = /* GraphQL */ `
  mutation ($input: [InteractionInput!]!) { recordInteractions(input: $input) { recordedCount } }
`;
const REPORT = /* GraphQL */ `
  query ($since: DateTime) {
    feedbackReport(since: $since) {
      experiment { name variants { name share modelVersion hasRankingPolicy } }
      variants {
        experiment variant surface answers impressions clicks
        clickThroughRate { estimate low high }
        versusControl { control clickThroughDifference { estimate low high } }
        byModelVersion { modelVersion answers }
      }
    }
  }
`;

/** A seeded uniform generator (mulberry32), so the simulated population clicks the same way on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = Array.from({ length: 400 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);

describe('A/B experiments over HTTP (EXPERIMENTS_FILE)', () => {
  let server: TestServer;
  let liked: string;
  let modelDir: string;
  const baseVersion = JSON.parse(readFileSync('models/demo/model.json', 'utf8')).version as string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recograph-experiment-'));
    // The treatment's own model folder: the demo model under another version.
    modelDir = join(dir, 'model-b');
    cpSync('models/demo', modelDir, { recursive: true });
    setVersion('treatment-1');
    // The simulated population likes one category; the treatment boosts it, the control does not.
    const probe = await startTestServer();
    liked = (await probe.graphql('query { items(first: 1) { nodes { category } } }')).data.items.nodes[0].category;
    await probe.close();
    const file = join(dir, 'experiment.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'boost-liked',
        variants: [
          { name: 'control', share: 0.5 },
          { name: 'treatment', share: 0.5, modelDir: 'model-b', rules: { boosts: [{ name: 'liked category', categories: [liked], factor: 3 }] } },
        ],
      }),
    );
    server = await startTestServer({}, { EXPERIMENTS_FILE: file });
  });
  afterAll(() => server?.close());

  function setVersion(version: string): void {
    const path = join(modelDir, 'model.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), version }, null, 2));
  }
  const recommend = async (userId: string) => {
    const { data, errors } = await server.graphql(RECOMMEND, { userId });
    expect(errors).toBeUndefined();
    return data.recommendations as { recommendationId: string; variant: string; item: { id: string; category: string } }[];
  };
  const report = async (since: Date) => {
    await server.app.flushImpressions();
    const { data, errors } = await server.graphql(REPORT, { since: since.toISOString() });
    expect(errors).toBeUndefined();
    return data.feedbackReport;
  };

  it('finds the variant that is truly better in a simulated population, with each user sticking to a variant', async () => {
    const since = new Date();
    const next = random(7);
    const clicks: Record<string, unknown>[] = [];
    const byVariant: Record<string, { users: number; liked: number }> = { control: { users: 0, liked: 0 }, treatment: { users: 0, liked: 0 } };
    for (const userId of USERS) {
      const shown = await recommend(userId);
      const { variant } = shown[0]!;
      byVariant[variant]!.users++;
      for (const { item, recommendationId } of shown) {
        if (item.category === liked) byVariant[variant]!.liked++;
        // The truth the report must find: the liked category is clicked six times as often.
        if (next() < (item.category === liked ? 0.3 : 0.05)) clicks.push({ userId, itemId: item.id, type: 'CLICK', recommendationId });
      }
    }
    for (const userId of USERS.slice(0, 20)) expect((await recommend(userId))[0]!.variant).toBe((await recommend(userId))[0]!.variant);
    // Half of 400 users each, within 4 standard deviations (10).
    expect(Math.abs(byVariant.control!.users - 200)).toBeLessThan(40);
    expect(byVariant.treatment!.liked).toBeGreaterThan(byVariant.control!.liked);
    for (let i = 0; i < clicks.length; i += 1000) expect((await server.graphql(RECORD, { input: clicks.slice(i, i + 1000) })).errors).toBeUndefined();

    const { experiment, variants } = await report(since);
    expect(experiment).toEqual({
      name: 'boost-liked',
      variants: [
        { name: 'control', share: 0.5, modelVersion: baseVersion, hasRankingPolicy: false },
        { name: 'treatment', share: 0.5, modelVersion: 'treatment-1', hasRankingPolicy: true },
      ],
    });
    const [control, treatment] = variants;
    expect(variants).toHaveLength(2);
    expect(control).toMatchObject({ experiment: 'boost-liked', variant: 'control', surface: 'RECOMMENDATIONS', versusControl: null });
    expect(treatment).toMatchObject({ experiment: 'boost-liked', variant: 'treatment', surface: 'RECOMMENDATIONS' });
    // 20 sticky re-reads above were served too.
    expect(control.answers + treatment.answers).toBe(USERS.length + 40);
    expect(control.byModelVersion.map((m: any) => m.modelVersion)).toEqual([baseVersion]);
    expect(treatment.byModelVersion.map((m: any) => m.modelVersion)).toEqual(['treatment-1']);
    expect(treatment.clickThroughRate.estimate).toBeGreaterThan(control.clickThroughRate.estimate);
    expect(treatment.versusControl.control).toBe('control');
    expect(treatment.versusControl.clickThroughDifference.low).toBeGreaterThan(0);
  });

  it('reloads each variant’s model from its own folder on SIGHUP, without mixing variants', async () => {
    setVersion('treatment-2');
    const outcome = await server.app.reloadModel();
    expect(outcome).toMatchObject({ outcome: 'reloaded', version: baseVersion });
    const since = new Date();
    for (const userId of USERS.slice(0, 40)) await recommend(userId);
    const { variants, experiment } = await report(since);
    const versions = Object.fromEntries(variants.map((v: any) => [v.variant, v.byModelVersion.map((m: any) => m.modelVersion)]));
    expect(versions).toEqual({ control: [baseVersion], treatment: ['treatment-2'] });
    expect(experiment.variants.map((v: any) => v.modelVersion)).toEqual([baseVersion, 'treatment-2']);
  });

  it('refuses to start with a variant rule the catalogue cannot satisfy, naming the variant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recograph-experiment-'));
    const file = join(dir, 'experiment.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        variants: [
          { name: 'control', share: 0.5 },
          { name: 'broken', share: 0.5, rules: { boosts: [{ categories: ['No Such Category'], factor: 2 }] } },
        ],
      }),
    );
    await expect(startTestServer({}, { EXPERIMENTS_FILE: file })).rejects.toThrow(/EXPERIMENTS_FILE: variant broken: .*No Such Category/);
  });
});
