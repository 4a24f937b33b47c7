import type { Logger } from 'pino';
import type { ItemRecord } from '../graph/index.js';
import type { ContentMap, RecommendationModel } from '../inference/index.js';
import type { ContentVectors } from '../recommendations/index.js';
import { itemText } from './item-text.js';
import type { TextEncoder } from './text-encoder.js';

/**
 * Item vectors from text for `model`: its content map applied to the encoder's embedding of each
 * item's text. Null, with one log line saying why, when the model has no map or the map was fitted
 * on another encoder's embeddings (new items are then known by their interactions only).
 */
export function contentVectors(model: RecommendationModel, encoder: TextEncoder | null, logger: Pick<Logger, 'info' | 'warn'>): ContentVectors | null {
  const map = model.contentMap;
  if (map === null) {
    logger.info({ model: model.info.version }, 'content features off for this model: it has no content map (npm run content:fit)');
    return null;
  }
  if (encoder === null) {
    logger.warn({ model: model.info.version }, 'content features off: the model has a content map but no text encoder is loaded');
    return null;
  }
  if (encoder.info.sha256 !== map.encoderSha256 || encoder.info.dimension !== map.inputDim) {
    logger.warn(
      { model: model.info.version, encoder: encoder.info.sha256, expected: map.encoderSha256 },
      "content features off: the model's content map was fitted on another text encoder's embeddings",
    );
    return null;
  }
  return {
    async vectorsFor(items: readonly ItemRecord[]) {
      const embeddings = await encoder.encode(items.map((item) => itemText(item)));
      return embeddings.map((embedding, i) => mappedContent(map, embedding, items[i]!.category, model.metadata.embeddingDim));
    },
  };
}

/**
 * `e·(W + W_c) + O[c] + b` for one item's embedding, `c` its category; an item of no category, or
 * of one the map was not fitted on, gets `e·W + b`, and one of a category without text rows of its
 * own `e·W + O[c] + b`.
 */
export function mappedContent({ inputDim, categories, categoryText, weights }: ContentMap, embedding: Float32Array, category: string | null, dim: number): Float32Array {
  const offsets = inputDim * (1 + categoryText.length);
  const bias = offsets + categories.length;
  const out = weights.slice(bias * dim, (bias + 1) * dim);
  const offset = category === null ? -1 : categories.indexOf(category);
  if (offset >= 0) addRows(out, weights, offsets + offset, Float32Array.of(1), dim);
  addRows(out, weights, 0, embedding, dim);
  const block = category === null ? -1 : categoryText.indexOf(category);
  if (block >= 0) addRows(out, weights, inputDim * (1 + block), embedding, dim);
  return out;
}

/** `out += x · weights[first .. first + x.length)` (rows of `dim`). */
function addRows(out: Float32Array, weights: Float32Array, first: number, x: Float32Array, dim: number): void {
  for (let k = 0; k < x.length; k++) {
    const e = x[k]!;
    const row = (first + k) * dim;
    for (let j = 0; j < dim; j++) out[j]! += e * weights[row + j]!;
  }
}
