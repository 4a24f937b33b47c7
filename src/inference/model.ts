import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readUserScores, type ModelOutputs } from './batch-scores.js';
import {
  checkSessionSignature,
  ModelContractError,
  parseModelMetadata,
  type ModelInputName,
  type ModelMetadata,
} from './model-contract.js';
import { openSession, runSession } from './session.js';
import type { ModelVocabulary, TensorData } from './tensors.js';
import { InferenceWorkerPool } from './worker-pool.js';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface ModelInfo {
  readonly version: string;
  readonly format: string;
  readonly fanouts: readonly number[];
  readonly heads: number;
  readonly embeddingDim: number;
  readonly itemCount: number;
  readonly executionProvider: ExecutionProvider;
  readonly trainedAt: Date | null;
}

/** A loaded, validated, warmed-up model: the only object that talks to onnxruntime. */
export interface RecommendationModel {
  readonly metadata: ModelMetadata;
  readonly vocabulary: ModelVocabulary;
  readonly info: ModelInfo;
  /** Takes ownership of the input buffers: with worker threads they are moved, not copied. */
  run(inputs: Readonly<Record<ModelInputName, TensorData>>): Promise<ModelOutputs>;
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

export async function loadModel(directory: string, options: LoadModelOptions): Promise<RecommendationModel> {
  const metadataPath = join(directory, 'model.json');
  const onnxPath = join(directory, 'model.onnx');
  const metadata = parseModelMetadata(parseJson(await readRequired(metadataPath), metadataPath), metadataPath);
  const onnx = await readFile(onnxPath).catch(() => {
    throw new ModelContractError(`${onnxPath} is missing or unreadable`);
  });
  const digest = createHash('sha256').update(onnx).digest('hex');
  if (digest !== metadata.onnxSha256) {
    throw new ModelContractError(`${onnxPath} does not belong to ${metadataPath} (SHA-256 ${digest} ≠ ${metadata.onnxSha256})`);
  }

  const { session, executionProvider } = await createSession(onnx, options);
  checkSessionSignature(session.inputNames, session.outputNames, onnxPath);
  const runner = await startRunner(session, onnx, executionProvider, options);

  const vocabulary: ModelVocabulary = {
    itemIndex: new Map(metadata.items.map((id, index) => [id, index])),
    userIndex: new Map(metadata.users.map((id, index) => [id, index])),
    itemCount: metadata.items.length,
  };
  const trainedAt = typeof metadata.training?.createdAt === 'string' ? new Date(metadata.training.createdAt) : null;
  const model: RecommendationModel = {
    metadata,
    vocabulary,
    info: {
      version: metadata.version,
      format: metadata.format,
      fanouts: metadata.fanouts,
      heads: metadata.heads,
      embeddingDim: metadata.embeddingDim,
      itemCount: metadata.items.length,
      executionProvider,
      trainedAt,
    },
    run: runner.run,
    close: runner.close,
  };
  try {
    await warmUp(model, onnxPath);
  } catch (error) {
    await model.close();
    throw error;
  }
  options.logger.info(
    { model: metadata.version, executionProvider, items: metadata.items.length, workers: options.workers ?? 0 },
    'model loaded',
  );
  return model;
}

async function readRequired(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => {
    throw new ModelContractError(`${path} is missing or unreadable`);
  });
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelContractError(`${path} is not valid JSON (${(error as Error).message})`);
  }
}

type Runner = Pick<RecommendationModel, 'run' | 'close'>;

/** Runs on the validated session itself, or on a worker pool whose sessions replace it. */
async function startRunner(
  session: Awaited<ReturnType<typeof openSession>>,
  onnx: Buffer,
  executionProvider: ExecutionProvider,
  { workers = 0, splitMinRows = 0, workerHeapMib = DEFAULT_WORKER_HEAP_MIB }: LoadModelOptions,
): Promise<Runner> {
  if (workers === 0) return { run: (inputs) => runSession(session, inputs), close: () => session.release() };
  await session.release();
  const pool = await InferenceWorkerPool.start(workers, { onnx, executionProvider }, { splitMinRows, heapMib: workerHeapMib });
  return { run: (inputs) => pool.run(inputs), close: () => pool.close() };
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
  const one = (type: 'int64' | 'float32', dims: number[], value = 0): TensorData =>
    type === 'int64'
      ? { type, data: new BigInt64Array(dims.reduce((a, b) => a * b)).fill(BigInt(value)), dims }
      : { type, data: new Float32Array(dims.reduce((a, b) => a * b)).fill(value), dims };
  const outputs = await model
    .run({
      hop1_items: one('int64', [1, 1]),
      hop1_weight: one('float32', [1, 1], 1),
      hop1_mask: one('float32', [1, 1], 1),
      hop2_users: one('int64', [1, 1, 1]),
      hop2_mask: one('float32', [1, 1, 1]),
      candidate_mask: one('float32', [1, n], 1),
      explain_ranks: one('int64', [explained]),
    })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : error;
      throw new ModelContractError(`${source} failed its warm-up run with ${explained} explained ranks: ${reason}`);
    });
  const { topK, heads } = model.metadata;
  const expect = (name: keyof ModelOutputs, dims: number[]) => {
    const actual = outputs[name].dims;
    if (actual.length !== dims.length || actual.some((d, i) => d !== dims[i])) {
      throw new ModelContractError(`${source}: output ${name} has shape [${actual.join(', ')}], expected [${dims.join(', ')}]`);
    }
  };
  expect('top_scores', [1, topK]);
  expect('top_items', [1, topK]);
  expect('hop1_attention', [1, heads, 1]);
  expect('hop2_attention', [1, heads, 1, 1]);
  expect('hop1_contribution', [1, explained, 1]);
  expect('hop2_contribution', [1, explained, 1, 1]);
  if (readUserScores(outputs, 0).ranked.length === 0) throw new ModelContractError(`${source}: warm-up ranked no item`);
}
