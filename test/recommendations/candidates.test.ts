import { describe, expect, it } from 'vitest';
import { itemRecord } from '../../src/graph/index.js';
import { ModelVocabulary } from '../../src/inference/index.js';
import { Candidates } from '../../src/recommendations/index.js';

const X = -1e9;
const ids = ['j1', 'j2', 'r1', 'r2', 'x', 'gone'];
const catalogue = [
  itemRecord({ id: 'j1', title: 'J1', category: 'Jazz' }),
  itemRecord({ id: 'j2', title: 'J2', category: 'Jazz' }),
  itemRecord({ id: 'r1', title: 'R1', category: 'Rock' }),
  itemRecord({ id: 'r2', title: 'R2', category: 'Rock' }),
  itemRecord({ id: 'x', title: 'X' }),
  null,
];
const candidates = new Candidates(new ModelVocabulary(ids, []), catalogue);

describe('candidate score biases', () => {
  it('excludes items the user interacted with and items the store no longer has', () => {
    expect([...candidates.bias(null, ['j2'])]).toEqual([0, X, 0, 0, 0, X]);
  });

  it('includes only the given categories', () => {
    expect([...candidates.bias({ includeCategories: ['Rock'] }, [])]).toEqual([X, X, 0, 0, X, X]);
  });

  it('excludes categories and item ids, ignoring ids it does not know', () => {
    expect([...candidates.bias({ excludeCategories: ['Jazz'], excludeItemIds: ['r2', 'unknown'] }, ['x'])]).toEqual([X, X, 0, X, X, X]);
  });

  it('combines include and exclude', () => {
    expect([...candidates.bias({ includeCategories: ['Jazz', 'Rock'], excludeCategories: ['Rock'] }, ['j1'])]).toEqual([X, 0, X, X, X, X]);
  });

  it('follows item writes: a new category, withdrawal and rows added after training', () => {
    const vocabulary = new ModelVocabulary(ids, []);
    const following = new Candidates(vocabulary, catalogue);
    vocabulary.rowFor('fresh');
    expect([...following.bias(null, [])]).toEqual([0, 0, 0, 0, 0, X, X]);
    following.update([
      itemRecord({ id: 'fresh', title: 'Fresh', category: 'Jazz' }),
      itemRecord({ id: 'j1', title: 'J1', category: 'Rock' }),
      itemRecord({ id: 'r1', title: 'R1', category: 'Rock', available: false }),
    ]);
    expect([...following.bias({ includeCategories: ['Jazz'] }, [])]).toEqual([X, 0, X, X, X, X, 0]);
    expect([...following.bias({ includeCategories: ['Rock'] }, [])]).toEqual([0, X, X, 0, X, X, X]);
  });
});
