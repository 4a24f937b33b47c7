import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTextEncoder, TextEncoderContractError, type TextEncoder } from '../../src/content/index.js';
import { createWordPieceTokenizer } from '../../src/content/tokenizer.js';

const ENCODER_DIR = resolve('models/text-encoder');

interface Fixture {
  readonly tokens: readonly { text: string; ids: number[] }[];
  readonly embeddings: readonly { text: string; fp32: number[]; int8: number[] }[];
}
const fixture = JSON.parse(await readFile('test/content/fixtures/text-encoder.json', 'utf8')) as Fixture;

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, i) => sum + x * b[i]!, 0);
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (_fields: object, message: string) => void lines.push({ level, message });
  return { lines, logger: { info: log('info'), warn: log('warn') } as never };
}

describe('the WordPiece tokenizer', () => {
  it('gives the reference tokenizer’s ids on accents, punctuation, CJK, emoji and texts past 128 tokens', async () => {
    const tokenizer = createWordPieceTokenizer(
      JSON.parse(await readFile(join(ENCODER_DIR, 'tokenizer.json'), 'utf8')),
      JSON.parse(await readFile(join(ENCODER_DIR, 'tokenizer_config.json'), 'utf8')),
      128,
    );
    expect(fixture.tokens.some(({ ids }) => ids.length === 128)).toBe(true);
    for (const { text, ids } of fixture.tokens) expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
  });
});

describe('the text encoder', () => {
  let encoder: TextEncoder;
  const log = recordingLogger();

  beforeAll(async () => {
    encoder = (await loadTextEncoder(ENCODER_DIR, { logger: log.logger }))!;
  });
  afterAll(() => encoder?.close());

  it('loads the shipped int8 model, with one log line', () => {
    expect(encoder.info).toMatchObject({ model: 'sentence-transformers/all-MiniLM-L6-v2', file: 'model-int8.onnx', dimension: 384, maxTokens: 128 });
    expect(log.lines).toEqual([{ level: 'info', message: 'text encoder loaded' }]);
  });

  it('matches Python onnxruntime on the same int8 model, and the fp32 model within cosine 0.98', async () => {
    const vectors = await encoder.encode(fixture.embeddings.map((e) => e.text));
    fixture.embeddings.forEach(({ text, fp32, int8 }, i) => {
      expect(cosine(vectors[i]!, int8), text).toBeGreaterThan(0.999);
      // Export-time measure on 300 sentences: mean 0.993, min 0.989.
      expect(cosine(vectors[i]!, fp32), text).toBeGreaterThan(0.98);
    });
  });

  it('returns unit vectors in the order given, however the texts are batched', async () => {
    const texts = ['a', 'a much longer text about hiking boots, tents and trails in the mountains', '', 'tea set'];
    const batched = await encoder.encode(texts);
    const alone = await Promise.all(texts.map(async (t) => (await encoder.encode([t]))[0]!));
    batched.forEach((vector, i) => {
      expect(vector).toHaveLength(384);
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
      // Dynamic quantization scales activations per run, so batch-mates move a vector slightly
      // (here the worst case: one-token texts beside a long one; 0.983 seen).
      expect(cosine(vector, alone[i]!)).toBeGreaterThan(0.97);
    });
    expect(await encoder.encode([])).toEqual([]);
  });

  it('puts related texts closer than unrelated ones', async () => {
    const [cat, kitten, tax, boots, trail, espresso] = await encoder.encode([
      'A cat is sleeping on the sofa.',
      'A kitten naps on the couch.',
      'The quarterly tax return is due next week.',
      'Waterproof hiking boots. Outdoor',
      'Shoes for walking mountain trails in the rain',
      'Espresso machine with milk frother. Kitchen',
    ]);
    expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, tax!) + 0.3);
    expect(dot(boots!, trail!)).toBeGreaterThan(dot(boots!, espresso!) + 0.2);
  });
});

describe('loading a text encoder folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recograph-encoder-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('turns content features off with exactly one warning when the folder has no encoder.json', async () => {
    const log = recordingLogger();
    expect(await loadTextEncoder(join(dir, 'absent'), { logger: log.logger })).toBeNull();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^content features off: no text encoder \(.*encoder\.json not found\)$/) });
  });

  it('refuses a file whose SHA-256 differs from encoder.json', async () => {
    const tampered = join(dir, 'tampered');
    await mkdir(tampered);
    for (const file of ['model-int8.onnx', 'tokenizer.json', 'vocab.txt']) await symlink(join(ENCODER_DIR, file), join(tampered, file));
    await writeFile(join(tampered, 'tokenizer_config.json'), '{"do_lower_case": false}');
    await writeFile(join(tampered, 'encoder.json'), await readFile(join(ENCODER_DIR, 'encoder.json')));
    const attempt = loadTextEncoder(tampered, recordingLogger());
    await expect(attempt).rejects.toThrow(TextEncoderContractError);
    await expect(attempt).rejects.toThrow(/tokenizer_config\.json has SHA-256 [0-9a-f]{64}, encoder\.json says acb92769/);
  });
});
