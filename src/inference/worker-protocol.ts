import type { ModelOutputs } from './batch-scores.js';
import type { ModelInputs } from './session.js';

/** What an inference worker is started with. */
export interface WorkerInit {
  readonly onnx: Uint8Array;
  readonly executionProvider: 'cpu' | 'cuda';
}

export interface WorkerRequest {
  readonly id: number;
  readonly inputs: ModelInputs;
}

export type WorkerReply =
  | { readonly id: number; readonly outputs: ModelOutputs }
  | { readonly id: number; readonly error: string };
