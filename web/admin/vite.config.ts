import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The explanation panel, built into `dist/admin/` and served by the API at `/admin/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  build: {
    outDir: fileURLToPath(new URL('../../dist/admin', import.meta.url)),
    emptyOutDir: true,
  },
  // `npm run dev:admin` serves the panel with hot reload next to an API started with `npm start`.
  server: { proxy: { '/graphql': 'http://localhost:4000', '/admin/session': 'http://localhost:4000' } },
  logLevel: 'warn',
});
