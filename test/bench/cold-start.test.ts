import { describe, expect, it } from 'vitest';
import { coldStartCase, popularityAmongNewItems, storedInteractions, type ColdStartSplitFile } from '../../bench/accuracy/cold-start-split.js';

const split = {
  heldOutItems: ['a', 'b', 'c'],
  heldOutInteractions: [
    ['u1', 'a', 0],
    ['u2', 'a', 1],
    ['u3', 'a', 2],
    ['u2', 'b', 0],
    ['u1', 'b', 1],
    ['u3', 'c', 0],
  ],
} as unknown as ColdStartSplitFile;

describe('the cold-start split', () => {
  it('gives each held-out item its first k draws and makes the rest its targets', () => {
    const { given, targets, givenCount } = coldStartCase(split, 2);
    expect([...given]).toEqual([
      ['u1', ['a', 'b']],
      ['u2', ['a', 'b']],
      ['u3', ['c']],
    ]);
    expect([...targets]).toEqual([['u3', ['a']]]);
    expect([...coldStartCase(split, 1).targets]).toEqual([
      ['u2', ['a']],
      ['u3', ['a']],
      ['u1', ['b']],
    ]);
    expect([...givenCount]).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('stores the other items’ known interactions and the given ones at their positions across all files', () => {
    const all = new Map([['u1', ['x', 'a', 'y', 'b', 'z']]]);
    const known = new Map([['u1', ['x', 'a', 'y', 'b']]]);
    const stored = storedInteractions(all, known, new Set(['a', 'b']), new Map([['u1', ['b']]]));
    expect(stored.get('u1')).toEqual([
      { itemId: 'x', position: 0 },
      { itemId: 'y', position: 2 },
      { itemId: 'b', position: 3 },
    ]);
  });
});

describe('popularity among new items', () => {
  const counts = new Map([
    ['a', 3],
    ['b', 1],
    ['c', 3],
    ['d', 3],
    ['e', 2],
  ]);

  it('ranks by given interactions, leaves out what the user was given and breaks ties in one order for all users', () => {
    const ranked = popularityAmongNewItems(counts, new Map([['u1', ['c']]]), ['u1', 'u2'], 4, 7);
    const u1 = ranked.get('u1')!;
    const u2 = ranked.get('u2')!;
    expect(new Set(u2.slice(0, 3))).toEqual(new Set(['a', 'c', 'd']));
    expect(u2[3]).toBe('e');
    expect(u1).toEqual(u2.filter((item) => item !== 'c').concat('b').slice(0, 4));
    expect(popularityAmongNewItems(counts, new Map(), ['u2'], 4, 7).get('u2')).toEqual(u2);
  });
});
