import { createHash } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { installModel, ModelInstallError, referencedFiles } from '../../src/training/index.js';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const temp = (name: string) => mkdtemp(join(tmpdir(), `recograph-${name}-`));

/** A fake v3 model folder: every file content-named, `model.json` naming each with its SHA-256. */
async function fakeV3Model(tag: string, shared: Record<string, string> = {}): Promise<string> {
  const folder = await temp(`model-${tag}`);
  const contents = { graph: `onnx ${tag}`, items: `items ${tag}`, candidates: `candidates ${tag}`, 'context-users': `users ${tag}`, checkpoint: `pt ${tag}`, map: `map ${tag}`, ...shared };
  const ext: Record<string, string> = { graph: 'onnx', checkpoint: 'pt', map: 'f32' };
  const entry = async (kind: string) => {
    const data = contents[kind as keyof typeof contents]!;
    const file = `${kind}-${sha256(data).slice(0, 12)}.${ext[kind] ?? 'f32'}`;
    await writeFile(join(folder, file), data);
    return { file, sha256: sha256(data) };
  };
  const metadata = {
    format: 'recograph-gat/3',
    version: `v-${tag}`,
    graph: await entry('graph'),
    tables: { items: { ...(await entry('items')), rows: 2 }, candidates: { ...(await entry('candidates')), rows: 2 }, contextUsers: { ...(await entry('context-users')), rows: 1 } },
    checkpoint: await entry('checkpoint'),
    items: ['a', 'b'],
    users: ['u'],
    content: { encoder: { name: 'fake' }, map: { ...(await entry('map')), inputDim: 384 } },
    training: { trainedThrough: '2026-01-01T00:00:00.000Z' },
  };
  await writeFile(join(folder, 'model.json'), JSON.stringify(metadata));
  return folder;
}

const namesOf = async (folder: string) => referencedFiles(JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')), folder).map((f) => f.file);

describe('putting a model in service', () => {
  it('finds every file a v3 model.json names (graph, tables, checkpoint, content map)', async () => {
    const model = await fakeV3Model('a');
    expect((await namesOf(model)).map((f) => f.split('-')[0]).sort()).toEqual(['candidates', 'checkpoint', 'context', 'graph', 'items', 'map']);
    expect(() => referencedFiles({ format: 'recograph-gat/2', onnxSha256: 'ab' }, 'x')).toThrow(/"recograph-gat\/2", this version installs recograph-gat\/3/);
    expect(() => referencedFiles({ format: 'recograph-gat/3', graph: { file: '../graph-0.onnx', sha256: 'x' } }, 'x')).toThrow(ModelInstallError);
    expect(() => referencedFiles({ format: 'other' }, 'x')).toThrow(ModelInstallError);
  });

  it('copies what is missing, writes model.json last and keeps the replaced model until the next install', async () => {
    const modelDir = await temp('serving');
    const [a, b, c] = [await fakeV3Model('a'), await fakeV3Model('b', { items: 'items a' }), await fakeV3Model('c')];
    expect((await installModel(a, modelDir)).copied).toHaveLength(6);
    const second = await installModel(b, modelDir);
    // b shares a's item table: it is there already.
    expect(second.copied).toHaveLength(5);
    expect(second.removed).toEqual([]);
    expect(JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')).version).toBe('v-b');
    const third = await installModel(c, modelDir);
    expect([...third.removed].sort()).toEqual((await namesOf(a)).filter((f) => !f.startsWith('items-')).sort());
    expect((await readdir(modelDir)).sort()).toEqual([...new Set([...(await namesOf(b)), ...(await namesOf(c)), 'model.json'])].sort());
  });

  it('refuses a file whose SHA-256 is not the one model.json gives, leaving the serving model as it was', async () => {
    const modelDir = await temp('serving');
    await installModel(await fakeV3Model('a'), modelDir);
    const before = await readFile(join(modelDir, 'model.json'), 'utf8');
    const broken = await fakeV3Model('b');
    const [graph] = await namesOf(broken);
    await writeFile(join(broken, graph!), 'truncated');
    await expect(installModel(broken, modelDir)).rejects.toThrow(/SHA-256/);
    expect(await readFile(join(modelDir, 'model.json'), 'utf8')).toBe(before);
    expect((await readdir(modelDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never shows a reader a model.json whose files are missing, however the swaps and reads interleave', async () => {
    const modelDir = await temp('serving');
    const models = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => fakeV3Model(tag)));
    await installModel(models[0]!, modelDir);
    let swapping = true;
    const seen = new Set<string>();
    const missing: string[] = [];
    // A loader as the server's: read model.json, then (after parsing it, which takes a while) open every file it names.
    const reader = async () => {
      while (swapping) {
        const metadata = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
        seen.add(metadata.version);
        await sleep(1);
        for (const { file } of referencedFiles(metadata, modelDir)) {
          await access(join(modelDir, file)).catch(() => missing.push(`${metadata.version}: ${file}`));
        }
      }
    };
    const readers = Array.from({ length: 2 }, reader);
    for (let k = 1; k <= 40; k++) await installModel(models[k % models.length]!, modelDir);
    swapping = false;
    await Promise.all(readers);
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(1);
  });
});
