/**
 * Child process for the crash test: records interactions one call at a time into the store at
 * argv[2] and prints each acknowledged idempotency key, until it is killed.
 */
import { SqliteGraphStore } from '../../src/graph/index.js';

const store = new SqliteGraphStore(process.argv[2]!);
await store.upsertItems([{ id: 'a', title: 'Alpha', category: null }]);
for (let n = 0; ; n++) {
  await store.recordInteractions([
    { id: `evt-${n}`, userId: `u${n % 7}`, itemId: 'a', type: 'VIEW', weight: 1, occurredAt: new Date() },
  ]);
  process.stdout.write(`evt-${n}\n`);
}
