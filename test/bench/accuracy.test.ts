import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explanationFidelity } from '../../bench/accuracy/explanation-fidelity.js';
import { readSplits } from '../../bench/accuracy/lightgcn-split.js';
import { importSplit, rankingMetrics, sampleNeighbourhoods, servedPath, type ServedPath } from '../../bench/accuracy/served-evaluation.js';
import { SqliteGraphStore } from '../../src/graph/index.js';
import { EXCLUDED_SCORE_BIAS, loadModel, ModelVocabulary } from '../../src/inference/index.js';
import { Candidates } from '../../src/recommendations/index.js';
import { openDemoStore } from '../support/demo-store.js';

describe('ranking metrics follow LightGCN', () => {
  it('recall divides hits by the test items and NDCG normalises by min(k, test items)', () => {
    const metrics = rankingMetrics(['a', 'x', 'b', 'y'], new Set(['b', 'a', 'z']), 2);
    expect(metrics.recall).toBeCloseTo(1 / 3);
    expect(metrics.ndcg).toBeCloseTo(1 / (1 + 1 / Math.log2(3)));
  });
});

describe('LightGCN splits', () => {
  it('are read as item lists per user, later files appended', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recograph-split-'));
    writeFileSync(join(dir, 'train.txt'), '0 3 1\n1 2\n2\n');
    writeFileSync(join(dir, 'valid.txt'), '0 4\n');
    const split = readSplits([join(dir, 'train.txt'), join(dir, 'valid.txt')]);
    expect([...split]).toEqual([
      ['0', ['3', '1', '4']],
      ['1', ['2']],
      ['2', []],
    ]);
  });

  it('are imported so that later in the line is more recent, as training reads them', async () => {
    const store = new SqliteGraphStore(':memory:');
    await importSplit(store, 5, new Map([['0', ['3', '1', '4']], ['1', ['1']]]));
    const [n] = await store.neighbourhoods(['0'], { hop1: 10, hop2: 10 });
    expect(n!.items.map((i) => i.item.id)).toEqual(['4', '1', '3']);
    expect(n!.items[1]!.coUsers.map((c) => c.userId)).toEqual(['1']);
    await store.close();
  });
});

describe('the LightGCN++ protocol excludes only train items', () => {
  it('a store holding train.txt alone leaves the user\'s valid.txt items rankable and excludes the train.txt ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recograph-split-'));
    writeFileSync(join(dir, 'train.txt'), '0 3 1\n1 2 4\n');
    writeFileSync(join(dir, 'valid.txt'), '0 4\n');
    const bias = async (known: readonly string[]) => {
      const store = new SqliteGraphStore(':memory:');
      await importSplit(store, 5, readSplits(known.map((f) => join(dir, f))));
      const [n] = await store.neighbourhoods(['0'], { hop1: 10, hop2: 10 });
      const ids = ['0', '1', '2', '3', '4'];
      const candidates = new Candidates(new ModelVocabulary(ids, ['0', '1']), await store.items(ids));
      const row = candidates.bias(null, n!.interactedItemIds);
      await store.close();
      return [...row].map((b) => (b === EXCLUDED_SCORE_BIAS ? 'excluded' : 'ranked'));
    };
    expect(await bias(['train.txt'])).toEqual(['ranked', 'excluded', 'ranked', 'excluded', 'ranked']);
    // Our LastFM protocol holds valid.txt too, which excludes item 4 as well.
    expect(await bias(['train.txt', 'valid.txt'])).toEqual(['ranked', 'excluded', 'ranked', 'excluded', 'excluded']);
  });
});

describe('explanation fidelity through the served model', () => {
  let store: SqliteGraphStore;
  let path: ServedPath;
  beforeAll(async () => {
    store = await openDemoStore();
    path = await servedPath(store, await loadModel('models/demo', { executionProvider: 'cpu', logger: pino({ level: 'silent' }) }));
  });
  afterAll(async () => {
    await path?.model.close();
    await store?.close();
  });

  it('counts a case per user with two or more neighbours and reports the rate', async () => {
    const users = ['user-0001', 'user-0002', 'user-0500', 'user-2999'];
    const result = await explanationFidelity(path, users, 7);
    const eligible = (await sampleNeighbourhoods(path, users)).filter((n) => n.items.length >= 2).length;
    expect(result.cases).toBe(eligible);
    expect(result.rate).toBe(result.faithful / result.cases);
    expect(result.meanDropTopAttended).toBeGreaterThan(result.meanDropRandom);
  });
});
