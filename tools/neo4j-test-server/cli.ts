/**
 * `npm run neo4j:test-server -- [--port N] [--data DIR] [--password P] [--page-cache SIZE] [--heap SIZE]`:
 * a Neo4j 5.26 Community server for tests and development, in the foreground. Prints one line of
 * client settings once Bolt accepts connections; SIGTERM or SIGINT stops it cleanly.
 */
import { parseArgs } from 'node:util';
import { buildNeo4jTestServer, neo4jTestServerUnavailableReason, startNeo4jTestServer } from './launch.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7687' },
    data: { type: 'string' },
    password: { type: 'string' },
    'page-cache': { type: 'string' },
    heap: { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535 (0: any free port), got "${values.port}"`);
  process.exit(2);
}
const unavailable = neo4jTestServerUnavailableReason();
if (unavailable) {
  console.error(`cannot start the Neo4j test server: ${unavailable}`);
  process.exit(1);
}

const started = performance.now();
buildNeo4jTestServer((line) => console.error(line));
const server = await startNeo4jTestServer({
  port,
  dataDir: values.data,
  password: values.password,
  pageCache: values['page-cache'],
  heap: values.heap,
  onStderr: (line) => console.error(line),
});
console.log(Object.entries(server.settings).map(([name, value]) => `${name}=${value}`).join(' '));
console.error(`Neo4j is ready after ${((performance.now() - started) / 1000).toFixed(1)} s; SIGTERM or Ctrl-C stops it.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop('SIGTERM');
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.process.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`Neo4j exited unexpectedly (${signal ?? code})`);
  process.exit(1);
});
