import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CONTENT_MAP_FORMAT, loadModel, ModelContractError } from '../../src/inference/index.js';

const logger = pino({ level: 'silent' });
const load = (dir: string) => loadModel(dir, { executionProvider: 'cpu', logger });

/** A copy of the bundled model, altered by `change`. */
function alteredCopy(change: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'recograph-model-'));
  cpSync('models/demo', dir, { recursive: true });
  change(dir);
  return dir;
}

type ContentMapEntry = { file: string; sha256: string; format?: string; inputDim: number; categories?: string[]; categoryText?: string[] };
type Metadata = Record<string, unknown> & {
  graph: { file: string };
  tables: Record<string, { file: string; rows: number }>;
  content: { map: ContentMapEntry };
};

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

  it('loads the content map of format 2: the text rows, each category’s own text rows, one row per category, then the constant', async () => {
    const model = await load('models/demo');
    const { map } = metadataOf('models/demo').content;
    expect(map.format).toBe(CONTENT_MAP_FORMAT);
    expect(model.contentMap).toMatchObject({ categories: map.categories, categoryText: map.categoryText });
    expect(model.contentMap!.categories.length).toBeGreaterThan(1);
    const rows = 384 * (1 + map.categoryText!.length) + map.categories!.length + 1;
    expect(model.contentMap!.weights.length).toBe(rows * model.metadata.embeddingDim);
    await model.close();
  });

  it('still loads a text-only map of format 1 (no format, no categories): no category rows', async () => {
    const dir = alteredCopy((dir) => {
      const { map } = metadataOf(dir).content;
      const d = metadataOf(dir).embeddingDim as number;
      const weights = new Float32Array(new Uint8Array(readFileSync(join(dir, map.file))).buffer);
      const textOnly = new Float32Array([...weights.subarray(0, 384 * d), ...weights.subarray(weights.length - d)]);
      const bytes = Buffer.from(textOnly.buffer);
      writeFileSync(join(dir, 'content-map-v1.f32'), bytes);
      editMetadata(dir, (m) => {
        m.content.map = { file: 'content-map-v1.f32', sha256: createHash('sha256').update(bytes).digest('hex'), inputDim: 384 };
      });
    });
    const model = await load(dir);
    expect(model.contentMap).toMatchObject({ categories: [], categoryText: [] });
    expect(model.contentMap!.weights.length).toBe(385 * model.metadata.embeddingDim);
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
    ['a content map of a format it does not read', (dir: string) => editMetadata(dir, (m) => (m.content.map.format = 'recograph-content-map/9')),
      /content\.map\.format "recograph-content-map\/9" is not a content map this server reads \(recograph-content-map\/2.*npm run content:fit/],
    ['a content map of format 2 that lists no categories', (dir: string) => editMetadata(dir, (m) => delete m.content.map.categories), /lists no categories or categoryText/],
    ['a content map of format 2 that lists no categoryText', (dir: string) => editMetadata(dir, (m) => delete m.content.map.categoryText), /lists no categories or categoryText/],
    ['a content map that lists categories but no format', (dir: string) => editMetadata(dir, (m) => delete m.content.map.format), /lists categories but declares no format/],
    ['a content map whose file lacks a row for a listed category', (dir: string) => editMetadata(dir, (m) => m.content.map.categories!.push('Extra')), /content\.map.*expected 5006 rows/],
    ['a content map whose file lacks the text rows of a category', (dir: string) => editMetadata(dir, (m) => m.content.map.categoryText!.pop()), /content\.map.*expected 4621 rows/],
    ['a content map naming a category twice', (dir: string) => editMetadata(dir, (m) => m.content.map.categories!.splice(1, 1, m.content.map.categories![0]!)), /names a category twice/],
    ['a compression it does not serve', (dir: string) => editMetadata(dir, (m) => (m.compression = 'fp16')),
      /declares compression "fp16", which this server does not serve \(it serves "none", "int8"\).*recograph_training\.compress/],
    ['an int8 folder without its candidate scales', (dir: string) => editMetadata(dir, (m) => (m.compression = 'int8')), /tables\.candidateScales is required with compression "int8"/],
    ['candidate scales in an fp32 folder', (dir: string) => editMetadata(dir, (m) => (m.tables.candidateScales = m.tables.items!)), /tables\.candidateScales is required with compression "int8" and only with it/],
    ['a content map giving text rows to a category it does not list', (dir: string) => editMetadata(dir, (m) => (m.content.map.categoryText![0] = 'Elsewhere')), /categoryText names "Elsewhere", which content\.map\.categories lacks/],
  ])('refuses %s with a clear error', async (_, change, message) => {
    const attempt = load(alteredCopy(change));
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toBeInstanceOf(ModelContractError);
  });
});
