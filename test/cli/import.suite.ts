import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateDemoDataset, seedDemoData } from '../../src/graph/index.js';
import type { StoreLeg } from '../support/store-legs.js';

const run = promisify(execFile);

export function describeImportCli(leg: StoreLeg): void {
  async function importCli(args: string[], dataDir: string) {
    const env = { ...process.env, ...leg.env(dataDir) };
    return run(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  describe(`npm run import (${leg.name} store)`, () => {
    beforeEach(() => leg.erase());

    it('loads a LightGCN split into the store and reports rows per second', async () => {
      const root = mkdtempSync(join(tmpdir(), 'recograph-cli-'));
      const dataset = join(root, 'tiny');
      mkdirSync(dataset);
      writeFileSync(join(dataset, 'train.txt'), '0 1 2\n1 2\n');
      const result = await importCli(['--lightgcn', dataset], join(root, 'data'));
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`imported 2 items and 3 interactions \\(3 new\\) into the ${leg.name} store in [\\d.]+ s: \\d+ rows/s`),
      );
      const store = await leg.openStore(join(root, 'data'));
      expect(await store.interactionCounts(['0', '1'])).toEqual([2, 1]);
      await store.close();
    });

    it('imports the demo data into a store the server already seeded without recording anything twice', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'recograph-cli-'));
      const store = await leg.openStore(dataDir);
      const demo = generateDemoDataset();
      try {
        expect(await seedDemoData(store, demo)).toBe(true);
        const result = await importCli(['--demo'], dataDir);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`interactions (0 new) into the ${leg.name} store`);
        const users = [...new Set(demo.interactions.map((i) => i.userId))];
        const counts = await store.interactionCounts(users);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(demo.interactions.length);
      } finally {
        await store.close();
      }
    });

    it('rejects a file with a bad row, naming its line, and exits non-zero', async () => {
      const root = mkdtempSync(join(tmpdir(), 'recograph-cli-'));
      writeFileSync(join(root, 'interactions.csv'), 'userId,itemId,type,weight,timestamp\nu1,a,VIEW,1,not-a-date\n');
      writeFileSync(join(root, 'items.csv'), 'itemId,title,category\na,Alpha,Jazz\n');
      const result = await importCli(['--interactions', join(root, 'interactions.csv'), '--items', join(root, 'items.csv')], join(root, 'data'));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('interactions.csv:2: timestamp is not an ISO-8601 date-time');
      expect(result.stderr).toContain('nothing was imported');
    });

    it('imports item descriptions, tags and availability, and rejects a bad items row by its line', async () => {
      const root = mkdtempSync(join(tmpdir(), 'recograph-cli-'));
      writeFileSync(join(root, 'interactions.csv'), 'userId,itemId,type,weight,timestamp\nu1,b,VIEW,1,2026-01-01T00:00:00Z\n');
      const items = 'itemId,title,category,description,tags,available\na,Alpha,Jazz,"Live, 1961",sax|live,false\nb,Bravo,,,,1\n';
      writeFileSync(join(root, 'items.csv'), items);
      const args = ['--interactions', join(root, 'interactions.csv'), '--items', join(root, 'items.csv')];
      expect((await importCli(args, join(root, 'data'))).code).toBe(0);
      const store = await leg.openStore(join(root, 'data'));
      try {
        expect(await store.items(['a', 'b'])).toEqual([
          { id: 'a', title: 'Alpha', category: 'Jazz', description: 'Live, 1961', tags: ['sax', 'live'], available: false },
          { id: 'b', title: 'Bravo', category: null, description: null, tags: [], available: true },
        ]);
        expect((await store.popularItems({ limit: 5 })).map((p) => p.item.id)).toEqual(['b']);
      } finally {
        await store.close();
      }
      writeFileSync(join(root, 'items.csv'), `${items}c,Charlie,,,,perhaps\n`);
      const rejected = await importCli(args, join(root, 'data'));
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toContain('items.csv:4: available must be true, false, 1 or 0');
    });

    it('explains a wrong invocation', async () => {
      const result = await importCli(['--on-error', 'ignore'], mkdtempSync(join(tmpdir(), 'recograph-cli-')));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/on-error/);
    });
  });
}
