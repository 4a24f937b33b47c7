import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MODEL_FORMAT } from '../inference/index.js';

/** A file a `model.json` names, with its SHA-256 where the metadata gives one. */
export interface ModelFile {
  readonly file: string;
  readonly sha256: string | null;
}

export interface InstallResult {
  readonly version: string;
  /** Files copied into the model folder (the rest were there already). */
  readonly copied: readonly string[];
  /** Files of older models removed. */
  readonly removed: readonly string[];
}

export class ModelInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelInstallError';
  }
}

const METADATA_FILE = 'model.json';
/** v3's immutable files: `<kind>-<first 12 hex of sha256>.<ext>` (docs/model.md). */
const CONTENT_NAMED = /^[a-z][a-z0-9-]*-[0-9a-f]{12}\.[a-z0-9.]+$/;

/**
 * The files `metadata` references. v3 names each as `{ file, sha256 }` (graph, tables.*, checkpoint,
 * content.map and whatever later versions add), so every such object is collected.
 */
export function referencedFiles(metadata: unknown, source: string): ModelFile[] {
  const format = (metadata as { format?: unknown } | null)?.format;
  if (format !== MODEL_FORMAT) throw new ModelInstallError(`${source}: model format ${JSON.stringify(format)}, this version installs ${MODEL_FORMAT}`);
  const files: ModelFile[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value) || value === null || typeof value !== 'object') return;
    const { file, sha256 } = value as { file?: unknown; sha256?: unknown };
    if (typeof file === 'string' && typeof sha256 === 'string') {
      // A plain name inside the folder: model.json never points elsewhere.
      if (basename(file) !== file || file === METADATA_FILE || file.startsWith('.')) throw new ModelInstallError(`${source}: bad file name ${JSON.stringify(file)}`);
      files.push({ file, sha256 });
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(metadata);
  return files;
}

async function readMetadata(directory: string): Promise<{ text: string; version: string; files: ModelFile[] } | null> {
  const path = join(directory, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const metadata = JSON.parse(text) as { version?: unknown };
  return { text, version: String(metadata.version), files: referencedFiles(metadata, path) };
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Writes `path` through a temp file, flushed, then renamed over it: a reader sees the old or the new file, whole. */
async function replaceDurably(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(path, '..', `.${basename(path)}.${process.pid}.tmp`);
  try {
    await write(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Puts the model in `source` in service in `modelDir` (docs/training.md, "Putting a model in
 * service"): copies the files its `model.json` references that `modelDir` lacks, checks their
 * SHA-256, then replaces `model.json` (temp + rename, last), then removes the content-named files
 * that neither the new nor the replaced `model.json` references. The replaced model's files stay
 * until the next install, so a process that read the old `model.json` an instant before the
 * rename still finds every file it names. One install at a time per folder.
 */
export async function installModel(source: string, modelDir: string): Promise<InstallResult> {
  const next = await readMetadata(source);
  if (next === null) throw new ModelInstallError(`${source} holds no ${METADATA_FILE}`);
  await mkdir(modelDir, { recursive: true });
  // A folder of another contract version is replaced without removing anything of it.
  const previous = await readMetadata(modelDir).catch((error: unknown) => {
    if (error instanceof ModelInstallError) return null;
    throw error;
  });
  const present = new Set(await readdir(modelDir));
  const copied: string[] = [];
  for (const { file, sha256 } of next.files) {
    // A content-named file already there holds that content by its name.
    if (present.has(file) && CONTENT_NAMED.test(file)) continue;
    const target = join(modelDir, file);
    await replaceDurably(target, async (temp) => {
      await copyFile(join(source, file), temp);
      const actual = await sha256Of(temp);
      if (sha256 !== null && actual !== sha256) throw new ModelInstallError(`${source}/${file}: SHA-256 ${actual}, model.json says ${sha256}`);
    });
    copied.push(file);
  }
  await syncDirectory(modelDir);
  await replaceDurably(join(modelDir, METADATA_FILE), (temp) => writeFile(temp, next.text));
  await syncDirectory(modelDir);
  const kept = new Set([...next.files, ...(previous?.files ?? [])].map((f) => f.file));
  const removed = (await readdir(modelDir)).filter((file) => CONTENT_NAMED.test(file) && !kept.has(file));
  for (const file of removed) await rm(join(modelDir, file), { force: true });
  return { version: next.version, copied, removed };
}

