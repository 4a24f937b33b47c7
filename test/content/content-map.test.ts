import { describe, expect, it } from 'vitest';
import { mappedContent } from '../../src/content/index.js';
import type { ContentMap } from '../../src/inference/index.js';

/** inputDim 2, two categories, embeddingDim 3: the rows of W, one per category, then b. */
const map: ContentMap = {
  encoderSha256: '0'.repeat(64),
  inputDim: 2,
  categories: ['Books', 'Garden'],
  // prettier-ignore
  weights: Float32Array.from([
    1, 0, 2, // W[0]
    0, 1, -1, // W[1]
    10, 0, 0, // Books
    0, 20, 0, // Garden
    0.5, 0.5, 0.5, // b
  ]),
};
const e = Float32Array.from([2, 3]);

describe('the content map, as serving applies it', () => {
  it('adds the row of the item’s category to e·W + b', () => {
    expect([...mappedContent(map, e, 'Books', 3)]).toEqual([12.5, 3.5, 1.5]);
    expect([...mappedContent(map, e, 'Garden', 3)]).toEqual([2.5, 23.5, 1.5]);
  });

  it('gives an item of no category, or of one the map was not fitted on, e·W + b alone', () => {
    expect([...mappedContent(map, e, null, 3)]).toEqual([2.5, 3.5, 1.5]);
    expect([...mappedContent(map, e, 'books', 3)]).toEqual([2.5, 3.5, 1.5]);
  });

  it('reads a text-only map (format 1: no category rows) as e·W + b', () => {
    const textOnly: ContentMap = { ...map, categories: [], weights: Float32Array.from([...map.weights.slice(0, 6), ...map.weights.slice(12)]) };
    expect([...mappedContent(textOnly, e, 'Books', 3)]).toEqual([2.5, 3.5, 1.5]);
  });

  it('leaves the map’s weights as they were', () => {
    const before = [...map.weights];
    mappedContent(map, e, 'Books', 3);
    expect([...map.weights]).toEqual(before);
  });
});
