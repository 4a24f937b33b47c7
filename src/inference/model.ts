import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readUserScores, type ModelOutputs } from './batch-scores.js';
import {
  checkSessionSignature,
  ModelContractError,
  type Compression,
  parseModelMetadata,
  type ModelFileEntry,
  type ModelMetadata,
} from './model-contract.js';
import { rowsToColumns } from './int8-rows.js';
import { ServingTables, type CandidateTable, type ItemRowWrite, type TablesSnapshot } from './serving-tables.js';
import { openSession, runOnTables } from './session.js';
import type { RunInputs, TensorData } from './tensors.js';
import { unitVector } from './vectors.js';
import { ModelVocabulary } from './vocabulary.js';
import { InferenceWorkerPool } from './worker-pool.js';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface ModelInfo {
  readonly version: string;
  readonly format: string;
  /** How the folder stores and scores its candidate table (docs/model.md, Compressed models). */
  readonly compression: Compression;
  readonly fanouts: readonly number[];
  readonly heads: number;
  readonly embeddingDim: number;
  /** Items with trained rows. */
  readonly itemCount: number;
  readonly executionProvider: ExecutionProvider;
  readonly trainedAt: Date | null;
}

/** A vector for an item the trained tables lack (docs/model.md, New items). */
export interface ItemVector {
  readonly id: string;
  readonly vector: Float32Array;
}

/** A loaded, validated, warmed-up model: the only object that talks to onnxruntime. */
export interface RecommendationModel {
  readonly metadata: ModelMetadata;
  readonly vocabulary: ModelVocabulary;
  readonly info: ModelInfo;
  /** How the model maps item text into its item space; null when it has no content map. */
  readonly contentMap: ContentMap | null;
  /**
   * Runs over the first items of the tables, as many as `score_bias` covers. Takes ownership of
   * the input buffers: with worker threads they are moved, not copied.
   */
  run(inputs: RunInputs): Promise<ModelOutputs>;
  /**
   * Gives items the trained tables lack a row, or a new one: appended for an id without a row,
   * overwritten for one with an estimated row; every later run sees it. Trained rows are never written.
   */
  writeItemVectors(vectors: readonly ItemVector[]): void;
  /**
   * The candidate table as served now, `itemCount × embeddingDim` in vocabulary order (unit rows
   * under cosine), not copied: read it synchronously, before the next `writeItemVectors`.
   */
  candidateRows(): Float32Array;
  close(): Promise<void>;
}

export interface LoadModelOptions {
  readonly executionProvider: ExecutionProvider;
  readonly logger: Logger;
  /** Worker threads, each with its own session; 0 (the default) runs on the calling thread. */
  readonly workers?: number;
  /** With workers: fewest rows per part when a big run is split across idle workers; 0 (the default) never splits. */
  readonly splitMinRows?: number;
  /** With workers: each worker's V8 old-generation limit in MiB (default 256). */
  readonly workerHeapMib?: number;
}

export const DEFAULT_WORKER_HEAP_MIB = 256;

/** The model's map from text embeddings into its item space: `v = e·(W + W_c) + O[c] + b` (docs/content.md). */
export interface ContentMap {
  /** The text encoder whose embeddings it maps (its ONNX file's SHA-256). */
  readonly encoderSha256: string;
  readonly inputDim: number;
  /** The categories with a row of `O`, in row order; none for a text-only map (format 1). */
  readonly categories: readonly string[];
  /** The categories with a block `W_c` of text rows of their own, in block order. */
  readonly categoryText: readonly string[];
  /**
   * `[inputDim × (1 + categoryText.length) + categories.length + 1, embeddingDim]`, row-major: the
   * rows of `W`, each `W_c`, those of `O`, then `b`.
   */
  readonly weights: Float32Array;
}

/** A model folder's files, read and checked against `model.json` (contract v3). */
export interface ModelFolder {
  readonly metadata: ModelMetadata;
  readonly onnx: Buffer;
  readonly onnxPath: string;
  readonly tables: TablesSnapshot;
  readonly contentMap: ContentMap | null;
}

export async function readModelFolder(directory: string): Promise<ModelFolder> {
  const metadataPath = join(directory, 'model.json');
  const metadata = parseModelMetadata(parseJson(await readRequired(metadataPath), metadataPath), metadataPath);
  const read = (entry: ModelFileEntry) => readVerified(directory, entry, metadataPath);
  const { candidateScales } = metadata.tables;
  const [onnx, items, candidates, scales, contextUsers] = await Promise.all([
    read(metadata.graph),
    read(metadata.tables.items),
    read(metadata.tables.candidates),
    candidateScales && read(candidateScales),
    read(metadata.tables.contextUsers),
  ]);
  const dim = metadata.embeddingDim;
  const n = metadata.items.length;
  const table = (bytes: Buffer, rows: number, name: string, width = dim) => float32Rows(bytes, rows, width, `${metadataPath} ${name}`);
  const tables: TablesSnapshot = {
    dim,
    itemRows: n,
    items: table(items, n, 'tables.items'),
    candidates:
      scales === undefined
        ? { kind: 'float32', rows: table(candidates, n, 'tables.candidates') }
        : int8Candidates(candidates, table(scales, n, 'tables.candidateScales', 1), n, dim, `${metadataPath} tables.candidates`),
    contextUsers: table(contextUsers, metadata.users.length, 'tables.contextUsers'),
  };
  const content = metadata.content ?? null;
  const categories = content?.map.categories ?? [];
  const categoryText = content?.map.categoryText ?? [];
  const contentMap =
    content === null
      ? null
      : {
          encoderSha256: content.encoder.sha256,
          inputDim: content.map.inputDim,
          categories,
          categoryText,
          weights: table(await read(content.map), content.map.inputDim * (1 + categoryText.length) + categories.length + 1, 'content.map'),
        };
  return { metadata, onnx, onnxPath: join(directory, metadata.graph.file), tables, contentMap };
}

export async function loadModel(directory: string, options: LoadModelOptions): Promise<RecommendationModel> {
  const { metadata, onnx, onnxPath, tables: snapshot, contentMap } = await readModelFolder(directory);
  const dim = metadata.embeddingDim;
  const tables = new ServingTables(snapshot);

  const { session, executionProvider } = await createSession(onnx, options);
  checkSessionSignature(session.inputNames, session.outputNames, onnxPath, metadata.compression);
  const runner = await startRunner(session, onnx, tables, executionProvider, options);

  const vocabulary = new ModelVocabulary(metadata.items, metadata.users);
  const trainedAt = typeof metadata.training?.createdAt === 'string' ? new Date(metadata.training.createdAt) : null;
  const model: RecommendationModel = {
    metadata,
    contentMap,
    vocabulary,
    info: {
      version: metadata.version,
      format: metadata.format,
      compression: metadata.compression,
      fanouts: metadata.fanouts,
      heads: metadata.heads,
      embeddingDim: metadata.embeddingDim,
      itemCount: metadata.items.length,
      executionProvider,
      trainedAt,
    },
    run: runner.run,
    writeItemVectors(vectors) {
      const rows = vectors.map(({ id, vector }) => {
        if (vocabulary.isTrained(id)) throw new RangeError(`item ${id} has a trained row`);
        if (vector.length !== dim) throw new RangeError(`item ${id}: a vector of ${vector.length} values, expected ${dim}`);
        const item = Float32Array.from(vector);
        return { index: vocabulary.rowFor(id), item, candidate: metadata.similarity === 'cosine' ? unitVector(item) : item };
      });
      tables.write(rows);
      runner.writeRows(rows);
    },
    candidateRows: () => tables.candidateRows(),
    close: runner.close,
  };
  try {
    await warmUp(model, onnxPath);
  } catch (error) {
    await model.close();
    throw error;
  }
  options.logger.info(
    { model: metadata.version, compression: metadata.compression, executionProvider, items: metadata.items.length, workers: options.workers ?? 0 },
    'model loaded',
  );
  return model;
}

async function readRequired(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => {
    throw new ModelContractError(`${path} is missing or unreadable`);
  });
}

/** A file `model.json` names, checked against its SHA-256. */
async function readVerified(directory: string, entry: ModelFileEntry, metadataPath: string): Promise<Buffer> {
  const path = join(directory, entry.file);
  const bytes = await readFile(path).catch(() => {
    throw new ModelContractError(`${path}, named by ${metadataPath}, is missing or unreadable`);
  });
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== entry.sha256) {
    throw new ModelContractError(`${path} does not belong to ${metadataPath} (SHA-256 ${digest} ≠ ${entry.sha256})`);
  }
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A little-endian float32 table file as an aligned array of `rows × dim` values. */
function float32Rows(bytes: Buffer, rows: number, dim: number, source: string): Float32Array {
  if (!LITTLE_ENDIAN) throw new ModelContractError('model tables are little-endian float32; this host is big-endian');
  if (bytes.byteLength !== rows * dim * 4) {
    throw new ModelContractError(`${source}: ${bytes.byteLength} bytes, expected ${rows} rows × ${dim} float32 values`);
  }
  // A copy: the file's buffer may not be 4-byte aligned.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** An int8 candidate file (row-major `[rows, dim]`) and its scales as served: the rows and their columns `[dim, rows]`. */
function int8Candidates(bytes: Buffer, scales: Float32Array, rows: number, dim: number, source: string): CandidateTable {
  if (bytes.byteLength !== rows * dim) throw new ModelContractError(`${source}: ${bytes.byteLength} bytes, expected ${rows} rows × ${dim} int8 values`);
  const values = new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { kind: 'int8', rows: values, columns: rowsToColumns(values, rows, dim), scales };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelContractError(`${path} is not valid JSON (${(error as Error).message})`);
  }
}

interface Runner {
  run(inputs: RunInputs): Promise<ModelOutputs>;
  writeRows(rows: readonly ItemRowWrite[]): void;
  close(): Promise<void>;
}

/** Runs on the validated session itself, or on a worker pool whose sessions replace it. */
async function startRunner(
  session: Awaited<ReturnType<typeof openSession>>,
  onnx: Buffer,
  tables: ServingTables,
  executionProvider: ExecutionProvider,
  { workers = 0, splitMinRows = 0, workerHeapMib = DEFAULT_WORKER_HEAP_MIB }: LoadModelOptions,
): Promise<Runner> {
  if (workers === 0) {
    // The tables were written already (they are this thread's own).
    return { run: (inputs) => runOnTables(session, tables, inputs), writeRows: () => {}, close: () => session.release() };
  }
  await session.release();
  const pool = await InferenceWorkerPool.start(workers, { onnx, executionProvider }, tables, { splitMinRows, heapMib: workerHeapMib });
  return { run: (inputs) => pool.run(inputs), writeRows: (rows) => pool.writeRows(rows), close: () => pool.close() };
}

async function createSession(onnx: Buffer, options: LoadModelOptions) {
  if (options.executionProvider === 'cuda') {
    try {
      const session = await openSession(onnx, 'cuda');
      return { session, executionProvider: 'cuda' as const };
    } catch (error) {
      options.logger.warn(
        { err: error },
        'CUDA execution provider unavailable (install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on a GPU host); using CPU',
      );
    }
  }
  const session = await openSession(onnx, 'cpu');
  return { session, executionProvider: 'cpu' as const };
}

/**
 * Runs one tiny batch with one explained rank and one with none (what a query without explanations
 * asks for): pays first-run costs before traffic and proves the output shapes.
 */
async function warmUp(model: RecommendationModel, source: string): Promise<void> {
  for (const explained of [1, 0]) await warmUpRun(model, source, explained);
}

async function warmUpRun(model: RecommendationModel, source: string, explained: number): Promise<void> {
  const n = model.vocabulary.itemCount;
  const topK = Math.min(3, n);
  const one = (type: 'int64' | 'float32', dims: number[], value = 0): TensorData =>
    type === 'int64'
      ? { type, data: new BigInt64Array(dims.reduce((a, b) => a * b, 1)).fill(BigInt(value)), dims }
      : { type, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), dims };
  const outputs = await model
    .run({
      hop1_items: one('int64', [1, 1]),
      hop1_weight: one('float32', [1, 1], 1),
      hop1_mask: one('float32', [1, 1], 1),
      hop2_users: one('int64', [1, 1, 1]),
      hop2_mask: one('float32', [1, 1, 1]),
      score_bias: one('float32', [1, n]),
      top_k: one('int64', [1], topK),
      explain_ranks: one('int64', [explained]),
    })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : error;
      throw new ModelContractError(`${source} failed its warm-up run with ${explained} explained ranks: ${reason}`);
    });
  const { heads, embeddingDim } = model.metadata;
  const expect = (name: keyof ModelOutputs, dims: number[]) => {
    const actual = outputs[name].dims;
    if (actual.length !== dims.length || actual.some((d, i) => d !== dims[i])) {
      throw new ModelContractError(`${source}: output ${name} has shape [${actual.join(', ')}], expected [${dims.join(', ')}]`);
    }
  };
  expect('top_scores', [1, topK]);
  expect('top_items', [1, topK]);
  expect('user_vectors', [1, embeddingDim]);
  expect('hop1_attention', [1, heads, 1]);
  expect('hop2_attention', [1, heads, 1, 1]);
  expect('hop1_contribution', [1, explained, 1]);
  expect('hop2_contribution', [1, explained, 1, 1]);
  if (readUserScores(outputs, 0).ranked.length === 0) throw new ModelContractError(`${source}: warm-up ranked no item`);
}
