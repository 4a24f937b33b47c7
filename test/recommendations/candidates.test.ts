import { describe, expect, it } from 'vitest';
import { itemRecord } from '../../src/graph/index.js';
import { CandidateMasks } from '../../src/recommendations/index.js';

const ids = ['j1', 'j2', 'r1', 'r2', 'x', 'gone'];
const vocabulary = { itemIndex: new Map(ids.map((id, i) => [id, i])), userIndex: new Map(), itemCount: ids.length };
const masks = new CandidateMasks(vocabulary, [
  itemRecord({ id: 'j1', title: 'J1', category: 'Jazz' }),
  itemRecord({ id: 'j2', title: 'J2', category: 'Jazz' }),
  itemRecord({ id: 'r1', title: 'R1', category: 'Rock' }),
  itemRecord({ id: 'r2', title: 'R2', category: 'Rock' }),
  itemRecord({ id: 'x', title: 'X' }),
  null,
]);

describe('candidate masks', () => {
  it('excludes items the user interacted with and items the store no longer has', () => {
    expect([...masks.build(null, ['j2'])]).toEqual([1, 0, 1, 1, 1, 0]);
  });

  it('includes only the given categories', () => {
    expect([...masks.build({ includeCategories: ['Rock'] }, [])]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('excludes categories and item ids, ignoring ids it does not know', () => {
    expect([...masks.build({ excludeCategories: ['Jazz'], excludeItemIds: ['r2', 'unknown'] }, ['x'])]).toEqual([
      0, 0, 1, 0, 0, 0,
    ]);
  });

  it('combines include and exclude', () => {
    expect([...masks.build({ includeCategories: ['Jazz', 'Rock'], excludeCategories: ['Rock'] }, ['j1'])]).toEqual([
      0, 1, 0, 0, 0, 0,
    ]);
  });
});
