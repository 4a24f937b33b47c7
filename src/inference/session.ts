import * as ort from 'onnxruntime-node';
import type { ModelOutputs } from './batch-scores.js';
import { MODEL_OUTPUTS } from './model-contract.js';
import type { ServingTables, TableInputs } from './serving-tables.js';
import type { RunInputs } from './tensors.js';

/** Every input of one run: the tables and the run's own tensors. */
export type ModelInputs = TableInputs & RunInputs;

/**
 * One onnxruntime session with recograph's options; used on the main thread and in workers alike.
 * Idle intra-op threads sleep instead of spinning, so they do not take CPU from the event loop; a
 * worker's session runs on the worker's own thread only (`singleThreaded`), so parallelism comes
 * from the number of workers.
 */
export function openSession(onnx: Uint8Array, executionProvider: 'cpu' | 'cuda', singleThreaded = false): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, {
    graphOptimizationLevel: 'all',
    executionProviders: [executionProvider],
    ...(singleThreaded ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/** Runs `session` on plain tensors and returns plain output tensors, named as in the contract. */
export async function runSession(session: ort.InferenceSession, inputs: ModelInputs): Promise<ModelOutputs> {
  const feeds = Object.fromEntries(
    Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, [...t.dims])]),
  );
  const results = await session.run(feeds);
  return Object.fromEntries(
    MODEL_OUTPUTS.map((name) => {
      const tensor = results[name]!;
      return [name, { data: tensor.data as Float32Array | BigInt64Array, dims: tensor.dims }];
    }),
  ) as unknown as ModelOutputs;
}

/** Runs `session` on `inputs` over the tables' first rows, as many as the run's score bias covers. */
export function runOnTables(session: ort.InferenceSession, tables: ServingTables, inputs: RunInputs): Promise<ModelOutputs> {
  const itemRows = inputs.score_bias.dims[1] ?? 0;
  return tables.during(itemRows, (tableInputs) => runSession(session, { ...tableInputs, ...inputs }));
}

/** The buffers of `tensors` that can be moved to another thread without a copy. */
export function transferables(tensors: Iterable<{ readonly data: ArrayBufferView }>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of tensors) {
    // A view on part of a shared (pooled) buffer must be copied, not moved.
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
      buffers.add(data.buffer);
    }
  }
  return [...buffers];
}
