import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships CommonJS (main) and ESM (module) builds. Node loads the CommonJS one for every
  // importer, Vite would hand ours the ESM one: two GraphQLError classes, and validation errors
  // from Apollo Server would look foreign to `src/errors.ts`. Resolve it as Node does.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (better-sqlite3, onnxruntime-node) are happiest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
