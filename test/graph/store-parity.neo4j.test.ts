import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS } from '../../src/graph/demo/demo-dataset.js';
import { generateDemoDataset, seedDemoData, type GraphStore } from '../../src/graph/index.js';
import { assembleBatch, loadModel, type RecommendationModel } from '../../src/inference/index.js';
import { Candidates } from '../../src/recommendations/index.js';
import { describeNeo4j } from '../support/neo4j.js';
import { EMBEDDED, NEO4J } from '../support/store-legs.js';

// A smaller demo population over the full demo catalogue: every item the bundled model knows.
const dataset = generateDemoDataset({ ...DEFAULT_DEMO_OPTIONS, users: 400 });
const userIds = [...new Set(dataset.interactions.map((i) => i.userId))].sort();

describeNeo4j('the same data in both stores', () => {
  let embedded: GraphStore;
  let neo4j: GraphStore;
  let model: RecommendationModel;
  beforeAll(async () => {
    await NEO4J.erase();
    [embedded, neo4j] = await Promise.all([EMBEDDED.openStore(mkdtempSync(join(tmpdir(), 'recograph-parity-'))), NEO4J.openStore('')]);
    await seedDemoData(embedded, dataset);
    await seedDemoData(neo4j, dataset);
    model = await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) });
  }, 300_000);
  afterAll(async () => {
    await Promise.all([embedded?.close(), neo4j?.close(), model?.close()]);
  });

  it.each([
    { hop1: 20, hop2: 10 },
    { hop1: 5, hop2: 3 },
    { hop1: 200, hop2: 50 },
  ])('samples identical neighbourhoods for every user at fan-outs %o', async (fanouts) => {
    const ids = [...userIds, 'no-such-user'];
    const [fromEmbedded, fromNeo4j] = await Promise.all([embedded.neighbourhoods(ids, fanouts), neo4j.neighbourhoods(ids, fanouts)]);
    expect(fromNeo4j).toEqual(fromEmbedded);
    expect(fromEmbedded.filter((n) => n.items.length > 0)).toHaveLength(userIds.length);
  });

  it('gives identical scores and explanations through the bundled model', async () => {
    const [hop1, hop2] = model.metadata.fanouts;
    const sample = userIds.filter((_, k) => k % 8 === 0);
    const scores = async (store: GraphStore) => {
      const neighbourhoods = await store.neighbourhoods(sample, { hop1, hop2 });
      const candidates = new Candidates(model.vocabulary, await store.items(model.metadata.items));
      const batch = assembleBatch(neighbourhoods, neighbourhoods.map((n) => candidates.bias(null, n.interactedItemIds)), model.vocabulary, 100, 5);
      const outputs = await model.run(batch.inputs);
      return Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, Array.from(tensor.data as ArrayLike<number | bigint>, Number)]));
    };
    const [a, b] = [await scores(embedded), await scores(neo4j)];
    expect(Object.keys(a).length).toBeGreaterThan(0);
    // Bit for bit: the same neighbourhoods make the same tensors.
    for (const name of Object.keys(a)) expect(b[name], name).toEqual(a[name]);
  });

  it('lists the same users, items, popularity and recent interactions', async () => {
    const page = { first: 1000 };
    expect(await neo4j.listUsers(page)).toEqual(await embedded.listUsers(page));
    expect(await neo4j.listItems(page)).toEqual(await embedded.listItems(page));
    expect(await neo4j.popularItems({ limit: 50 })).toEqual(await embedded.popularItems({ limit: 50 }));
    expect(await neo4j.interactionCounts(userIds)).toEqual(await embedded.interactionCounts(userIds));
    const recent = userIds.slice(0, 40);
    expect(await neo4j.recentInteractions(recent, 30)).toEqual(await embedded.recentInteractions(recent, 30));
  });
});
