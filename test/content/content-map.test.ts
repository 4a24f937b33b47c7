import { describe, expect, it } from 'vitest';
import { mappedContent } from '../../src/content/index.js';
import type { ContentMap } from '../../src/inference/index.js';

/** inputDim 2, embeddingDim 3, two categories, Garden with text rows of its own: W, W_Garden, O, then b. */
const map: ContentMap = {
  encoderSha256: '0'.repeat(64),
  inputDim: 2,
  categories: ['Books', 'Garden'],
  categoryText: ['Garden'],
  // prettier-ignore
  weights: Float32Array.from([
    1, 0, 2, // W[0]
    0, 1, -1, // W[1]
    0, 0, 1, // W_Garden[0]
    1, 0, 0, // W_Garden[1]
    10, 0, 0, // O[Books]
    0, 20, 0, // O[Garden]
    0.5, 0.5, 0.5, // b
  ]),
};
const e = Float32Array.from([2, 3]);

describe('the content map, as serving applies it', () => {
  it('adds the row of the item’s category to e·W + b', () => {
    expect([...mappedContent(map, e, 'Books', 3)]).toEqual([12.5, 3.5, 1.5]);
  });

  it('reads the text through the category’s own rows too where it has them: e·(W + W_c) + O[c] + b', () => {
    // e·W = [2, 3, 1], e·W_Garden = [3, 0, 2]
    expect([...mappedContent(map, e, 'Garden', 3)]).toEqual([5.5, 23.5, 3.5]);
  });

  it('gives an item of no category, or of one the map was not fitted on, e·W + b alone', () => {
    expect([...mappedContent(map, e, null, 3)]).toEqual([2.5, 3.5, 1.5]);
    expect([...mappedContent(map, e, 'garden', 3)]).toEqual([2.5, 3.5, 1.5]);
  });

  it('reads a text-only map (format 1: no category rows) as e·W + b', () => {
    const textOnly: ContentMap = { ...map, categories: [], categoryText: [], weights: Float32Array.from([...map.weights.slice(0, 6), ...map.weights.slice(18)]) };
    expect([...mappedContent(textOnly, e, 'Books', 3)]).toEqual([2.5, 3.5, 1.5]);
  });

  it('leaves the map’s weights as they were', () => {
    const before = [...map.weights];
    mappedContent(map, e, 'Garden', 3);
    expect([...map.weights]).toEqual(before);
  });
});
