/**
 * A worker thread holding its own onnxruntime session: onnxruntime-node's `run()` computes on the
 * calling thread, so running it here keeps the event loop free. Tensors arrive and leave as
 * transferred buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSession, runSession, transferables } from './session.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

const port = parentPort!;
const { onnx, executionProvider } = workerData as WorkerInit;
const session = await openSession(onnx, executionProvider, true);

port.on('message', async ({ id, inputs }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const outputs = await runSession(session, inputs);
    reply = { id, outputs };
    port.postMessage(reply, transferables(Object.values(outputs)));
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: true });
