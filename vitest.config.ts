import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const NEO4J_TESTS = 'test/**/*.neo4j.test.ts';

export default defineConfig({
  // graphql ships CommonJS (main) and ESM (module) builds. Node loads the CommonJS one for every
  // importer, Vite would hand ours the ESM one: two GraphQLError classes, and validation errors
  // from Apollo Server would look foreign to `src/errors.ts`. Resolve it as Node does.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    // Native addons (better-sqlite3, onnxruntime-node) are happiest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [NEO4J_TESTS], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          // One shared Neo4j (Community has one user database, which the files erase): files run
          // one at a time, after the unit project, so no timing-sensitive test shares the cores.
          name: 'neo4j',
          include: [NEO4J_TESTS],
          globalSetup: ['test/support/neo4j-global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
