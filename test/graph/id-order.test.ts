import { describe, expect, it } from 'vitest';
import { idSortKey } from '../../src/graph/id-order.js';

describe('the id order', () => {
  // By code point: z < é < 中 < ｚ (U+FF5A) < 𝓏 (U+1D4CF).
  const byCodePoint = ['z', 'é', '中', 'ｚ', '𝓏', '𝓏a'];

  it('is where UTF-16 code-unit comparison goes wrong: astral characters before U+E000–U+FFFF', () => {
    expect([...byCodePoint].sort()).toEqual(['z', 'é', '中', '𝓏', '𝓏a', 'ｚ']);
  });

  it('comes out of any string comparison of sort keys, UTF-16 code units included', () => {
    const keys = byCodePoint.map(idSortKey);
    expect(keys.every((key) => /^[0-9a-f]*$/.test(key))).toBe(true);
    expect([...byCodePoint].sort((a, b) => (idSortKey(a) < idSortKey(b) ? -1 : 1))).toEqual(byCodePoint);
    expect(Buffer.compare(Buffer.from('ｚ'), Buffer.from('𝓏'))).toBe(-1);
  });
});
