import type { ModelOutputs } from './batch-scores.js';
import type { ItemRowWrite, TablesSnapshot } from './serving-tables.js';
import type { RunInputs } from './tensors.js';

/** What an inference worker is started with. */
export interface WorkerInit {
  readonly onnx: Uint8Array;
  readonly executionProvider: 'cpu' | 'cuda';
  readonly tables: TablesSnapshot;
}

/** Messages to a worker, handled in the order sent: a run sees every row write sent before it. */
export type WorkerRequest =
  | { readonly kind: 'run'; readonly id: number; readonly inputs: RunInputs }
  | { readonly kind: 'rows'; readonly rows: readonly ItemRowWrite[] };

export type WorkerReply =
  | { readonly id: number; readonly outputs: ModelOutputs }
  | { readonly id: number; readonly error: string };
