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
  logLevel: 'warn',
});
