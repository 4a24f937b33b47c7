import type { ModelOutputs, OutputTensor } from './batch-scores.js';
import { MODEL_OUTPUTS } from './model-contract.js';
import type { RunInputs, TensorData } from './tensors.js';

/** Inputs that are the same for every row of a run rather than one slice per row. */
const SHARED_INPUTS: ReadonlySet<string> = new Set(['top_k', 'explain_ranks']);

/** The batch size B of a run: the first axis of every per-row input. */
export function rowCount(inputs: RunInputs): number {
  return inputs.hop1_items.dims[0] ?? 0;
}

/**
 * Cuts a run into `parts` runs of consecutive rows, as even as possible. Every row of the model is
 * computed from its own inputs only, so running the parts and joining their outputs with
 * `joinRows` gives the outputs of the whole run. Each part owns fresh buffers (they can be moved
 * to another thread); the padded widths stay the batch's, so the parts' outputs line up.
 */
export function splitRows(inputs: RunInputs, parts: number): RunInputs[] {
  const rows = rowCount(inputs);
  const count = Math.max(1, Math.min(parts, rows));
  return Array.from({ length: count }, (_, p) => {
    const start = Math.floor((p * rows) / count);
    const end = Math.floor(((p + 1) * rows) / count);
    const part = Object.entries(inputs).map(([name, tensor]) => [
      name,
      SHARED_INPUTS.has(name) ? copy(tensor) : sliceRows(tensor, start, end),
    ]);
    return Object.fromEntries(part) as RunInputs;
  });
}

/** The outputs of consecutive row ranges, in order, as the outputs of one run over all their rows. */
export function joinRows(parts: readonly ModelOutputs[]): ModelOutputs {
  if (parts.length === 1) return parts[0]!;
  const joined = MODEL_OUTPUTS.map((name) => [name, concatRows(parts.map((p) => p[name]))]);
  return Object.fromEntries(joined) as ModelOutputs;
}

function sliceRows(tensor: TensorData, start: number, end: number): TensorData {
  const [, ...rest] = tensor.dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  const data = tensor.data.slice(start * stride, end * stride);
  return { ...tensor, data, dims: [end - start, ...rest] } as TensorData;
}

function copy(tensor: TensorData): TensorData {
  return { ...tensor, data: tensor.data.slice() } as TensorData;
}

function concatRows(tensors: readonly OutputTensor[]): OutputTensor {
  const [, ...rest] = tensors[0]!.dims;
  const rows = tensors.reduce((sum, t) => sum + (t.dims[0] ?? 0), 0);
  const length = tensors.reduce((sum, t) => sum + t.data.length, 0);
  const data = tensors[0]!.data instanceof BigInt64Array ? concat(new BigInt64Array(length), tensors) : concat(new Float32Array(length), tensors);
  return { data, dims: [rows, ...rest] };
}

function concat<T extends Float32Array | BigInt64Array>(into: T, tensors: readonly OutputTensor[]): T {
  let offset = 0;
  for (const { data } of tensors) {
    (into as { set(array: ArrayLike<unknown>, offset: number): void }).set(data, offset);
    offset += data.length;
  }
  return into;
}
