export { contentVectors, mappedContent } from './content-vectors.js';
export { itemText, type ItemTextFields } from './item-text.js';
export {
  DEFAULT_ENCODER_BATCH_SIZE,
  loadTextEncoder,
  sharedTextEncoder,
  type SharedTextEncoder,
  type LoadTextEncoderOptions,
  type TextEncoder,
  type TextEncoderInfo,
} from './text-encoder.js';
export { TEXT_ENCODER_FORMAT, TextEncoderContractError, parseEncoderMetadata, type EncoderMetadata } from './encoder-contract.js';
