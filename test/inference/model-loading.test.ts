import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadModel, ModelContractError } from '../../src/inference/index.js';

const logger = pino({ level: 'silent' });
const load = (dir: string) => loadModel(dir, { executionProvider: 'cpu', logger });

/** A copy of the bundled model, altered by `change`. */
function alteredCopy(change: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'recograph-model-'));
  cpSync('models/demo', dir, { recursive: true });
  change(dir);
  return dir;
}

type Metadata = Record<string, unknown> & { graph: { file: string }; tables: Record<string, { file: string; rows: number }> };

function metadataOf(dir: string): Metadata {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Metadata;
}

function editMetadata(dir: string, edit: (metadata: Metadata) => void): void {
  const metadata = metadataOf(dir);
  edit(metadata);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(metadata));
}

const graphOf = (dir: string) => join(dir, metadataOf(dir).graph.file);
const tableOf = (dir: string, name: string) => join(dir, metadataOf(dir).tables[name]!.file);

describe('model loading', () => {
  it('loads the bundled demo model and checks it against the contract', async () => {
    const model = await load('models/demo');
    expect(model.info).toMatchObject({ format: 'recograph-gat/3', executionProvider: 'cpu', itemCount: 1920 });
    expect(model.vocabulary.userIndex.size).toBe(3000);
    await model.close();
  });

  it('falls back to CPU when CUDA is asked for but unavailable', async () => {
    const model = await loadModel('models/demo', { executionProvider: 'cuda', logger });
    expect(model.info.executionProvider).toMatch(/^(cpu|cuda)$/);
    await model.close();
  });

  it.each([
    ['a graph file from another training run', (dir: string) => writeFileSync(graphOf(dir), Buffer.from('not onnx')), /does not belong/],
    ['a table file altered', (dir: string) => writeFileSync(tableOf(dir, 'candidates'), Buffer.alloc(8)), /candidates-\w+\.f32 does not belong/],
    ['a missing graph file', (dir: string) => rmSync(graphOf(dir)), /graph-\w+\.onnx, named by .*model\.json, is missing/],
    ['a model of contract v2', (dir: string) => editMetadata(dir, (m) => (m.format = 'recograph-gat/2')), /recograph-gat\/3\) \(it declares "recograph-gat\/2"\).*recograph_training\.upgrade/],
    ['a missing metadata file', (dir: string) => rmSync(join(dir, 'model.json')), /model\.json is missing/],
    ['a metadata file that is not JSON', (dir: string) => writeFileSync(join(dir, 'model.json'), '{ "format": '), /model\.json is not valid JSON/],
    ['another format', (dir: string) => editMetadata(dir, (m) => (m.format = 'someone-else/9')), /format/],
    ['another sampling policy', (dir: string) => editMetadata(dir, (m) => (m.samplingPolicy = 'random')), /samplingPolicy/],
    ['heads that do not divide the dimensions', (dir: string) => editMetadata(dir, (m) => (m.heads = 7)), /not divisible/],
    ['a catalogue of the wrong size', (dir: string) => editMetadata(dir, (m) => (m.items = (m.items as string[]).slice(1))), /item tables hold 1920/],
    ['a table of the wrong size for its rows', (dir: string) => editMetadata(dir, (m) => {
      m.tables.contextUsers!.rows = 2999;
      m.users = (m.users as string[]).slice(1);
    }), /768000 bytes, expected 2999 rows/],
  ])('refuses %s with a clear error', async (_, change, message) => {
    const attempt = load(alteredCopy(change));
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toBeInstanceOf(ModelContractError);
  });
});
