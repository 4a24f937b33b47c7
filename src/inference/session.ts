import * as ort from 'onnxruntime-node';
import type { ModelOutputs } from './batch-scores.js';
import { MODEL_OUTPUTS, type ModelInputName } from './model-contract.js';
import type { TensorData } from './tensors.js';

export type ModelInputs = Readonly<Record<ModelInputName, TensorData>>;

/** One onnxruntime session with recograph's options; used on the main thread and in workers alike. */
export function openSession(onnx: Uint8Array, executionProvider: 'cpu' | 'cuda'): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all', executionProviders: [executionProvider] });
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
