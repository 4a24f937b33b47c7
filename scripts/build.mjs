#!/usr/bin/env node
/**
 * `npm run build` and `npm start`'s prestart: builds only what changed. TypeScript with `tsc --build`
 * (incremental; `dist/.tsbuildinfo` says what was built, so an unchanged tree costs a timestamp
 * check and a deleted `dist/` builds everything again). The admin panel with Vite, only when a
 * file under `web/admin/` or `package-lock.json` is newer than `dist/admin/index.html`, or that
 * file is missing. `--force` rebuilds both.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Newest modification time (ms) of a file, or of any file under a folder; -Infinity if absent. */
export function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return -Infinity;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** An output is stale when it is missing or any input is newer than it. */
export function isStale(inputs, output) {
  let built;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    return true;
  }
  return inputs.some((input) => newestMtime(input) > built);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ADMIN_INPUTS = ['web/admin', 'package-lock.json'].map((path) => join(ROOT, path));
export const ADMIN_OUTPUT = join(ROOT, 'dist/admin/index.html');

async function main() {
  const force = process.argv.includes('--force');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--build', 'tsconfig.build.json', ...(force ? ['--force'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (force || isStale(ADMIN_INPUTS, ADMIN_OUTPUT)) {
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'web/admin/vite.config.ts') });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
