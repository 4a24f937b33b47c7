import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const file = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'recograph-experiment-')), 'experiment.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const configWith = (content: unknown) => loadConfig({ NODE_ENV: 'test', EXPERIMENTS_FILE: file(content) });

describe('EXPERIMENTS_FILE', () => {
  it('reads named variants with shares, model folders relative to the file, and rules', () => {
    const path = file({
      name: 'ranker-2026-12',
      variants: [
        { name: 'control', share: 0.7 },
        { name: 'diverse', share: 0.3, modelDir: 'models/next', diversity: 0.3, rules: { boosts: [{ categories: ['Books'], factor: 2 }] } },
      ],
    });
    const { experiment } = loadConfig({ NODE_ENV: 'test', EXPERIMENTS_FILE: path });
    expect(experiment!.name).toBe('ranker-2026-12');
    expect(experiment!.variants.map((v) => [v.name, v.share, v.modelDir, v.diversity])).toEqual([
      ['control', 0.7, null, null],
      ['diverse', 0.3, join(path, '..', 'models/next'), 0.3],
    ]);
    expect(experiment!.variants[1]!.rules).toEqual({ boosts: [{ categories: ['Books'], factor: 2 }] });
    expect(loadConfig({ NODE_ENV: 'test' }).experiment).toBeNull();
  });

  it.each([
    ['shares that do not add up to 1', { name: 'e', variants: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.4 }] }, /shares must add up to 1/],
    ['one variant', { name: 'e', variants: [{ name: 'a', share: 1 }] }, /variants/],
    ['two variants of one name', { name: 'e', variants: [{ name: 'a', share: 0.5 }, { name: 'a', share: 0.5 }] }, /same name/],
    ['a name with spaces', { name: 'my experiment', variants: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.5 }] }, /name/],
    ['an unknown field', { name: 'e', variants: [{ name: 'a', share: 0.5, weight: 2 }, { name: 'b', share: 0.5 }] }, /weight|Unrecognized/i],
    ['a rule of the wrong shape', { name: 'e', variants: [{ name: 'a', share: 0.5, rules: { boosts: [{ factor: 'x' }] } }, { name: 'b', share: 0.5 }] }, /factor/],
    ['text that is not JSON', '{ name: ', /JSON|Expected/],
  ])('refuses %s, naming the setting', (_, content, message) => {
    expect(() => configWith(content)).toThrow(/EXPERIMENTS_FILE/);
    expect(() => configWith(content)).toThrow(message);
  });

  it('refuses a file that does not exist', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', EXPERIMENTS_FILE: '/nonexistent/experiment.json' })).toThrow(/EXPERIMENTS_FILE.*ENOENT/);
  });
});
