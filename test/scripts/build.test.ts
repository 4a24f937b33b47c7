import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_INPUTS, ADMIN_OUTPUT, isStale, newestMtime } from '../../scripts/build.mjs';

function tree() {
  const root = mkdtempSync(join(tmpdir(), 'recograph-build-'));
  const file = (path: string, seconds: number) => {
    writeFileSync(join(root, path), 'x');
    utimesSync(join(root, path), seconds, seconds);
    return join(root, path);
  };
  mkdirSync(join(root, 'web/src'), { recursive: true });
  mkdirSync(join(root, 'out'));
  return { root, file };
}

describe('npm start builds only what changed', () => {
  it('rebuilds the panel when its output is missing', () => {
    const { root, file } = tree();
    file('web/src/main.ts', 1_000);
    expect(isStale([join(root, 'web')], join(root, 'out/index.html'))).toBe(true);
  });

  it('skips the panel when every input is older than its output, and rebuilds once one is newer', () => {
    const { root, file } = tree();
    file('web/src/main.ts', 1_000);
    file('web/index.html', 1_000);
    utimesSync(join(root, 'web/src'), 1_000, 1_000);
    utimesSync(join(root, 'web'), 1_000, 1_000);
    const lock = file('package-lock.json', 1_000);
    const output = file('out/index.html', 2_000);
    const inputs = [join(root, 'web'), lock];
    expect(isStale(inputs, output)).toBe(false);
    file('web/src/main.ts', 3_000);
    expect(isStale(inputs, output)).toBe(true);
    file('web/src/main.ts', 1_000);
    file('package-lock.json', 3_000);
    expect(isStale(inputs, output)).toBe(true);
  });

  it('counts a file added or removed in a nested folder through that folder’s own time', () => {
    const { root, file } = tree();
    file('web/src/main.ts', 1_000);
    utimesSync(join(root, 'web'), 1_000, 1_000);
    utimesSync(join(root, 'web/src'), 3_000, 3_000);
    expect(newestMtime(join(root, 'web'))).toBe(3_000_000);
    expect(newestMtime(join(root, 'missing'))).toBe(-Infinity);
  });

  it('watches the panel’s sources and the lockfile, against the built page', () => {
    expect(ADMIN_INPUTS.map((path) => path.replace(/\\/g, '/'))).toEqual([expect.stringMatching(/\/web\/admin$/), expect.stringMatching(/\/package-lock\.json$/)]);
    expect(ADMIN_OUTPUT.replace(/\\/g, '/')).toMatch(/\/dist\/admin\/index\.html$/);
  });
});
