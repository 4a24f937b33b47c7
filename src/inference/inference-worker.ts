/**
 * A worker thread holding its own onnxruntime session and its own copy of the serving tables:
 * onnxruntime-node's `run()` computes on the calling thread, so running it here keeps the event
 * loop free. Run tensors arrive and leave as transferred buffers; row writes arrive in order with runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ServingTables } from './serving-tables.js';
import { runOnTables, openSession, transferables } from './session.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

const port = parentPort!;
const { onnx, executionProvider, tables: snapshot } = workerData as WorkerInit;
const session = await openSession(onnx, executionProvider, true);
const tables = new ServingTables(snapshot);

port.on('message', async (request: WorkerRequest) => {
  if (request.kind === 'rows') {
    tables.write(request.rows);
    return;
  }
  const { id, inputs } = request;
  let reply: WorkerReply;
  try {
    const outputs = await runOnTables(session, tables, inputs);
    reply = { id, outputs };
    port.postMessage(reply, transferables(Object.values(outputs)));
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: true });
