import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printRecographSubgraphSchema } from '../../src/schema.js';

describe('npm run schema:print', () => {
  it('writes the subgraph SDL for rover subgraph publish, to a file or to stdout', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'recograph-sdl-')), 'recograph.graphql');
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-subgraph-schema.ts', ...args], { encoding: 'utf8' });
    expect(run(file)).toBe('');
    const expected = `${printRecographSubgraphSchema()}\n`;
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(run()).toBe(expected);
    expect(expected).toMatch(/^extend schema\s+@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.9"/);
  });
});
