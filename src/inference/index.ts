export {
  DEFAULT_WORKER_HEAP_MIB,
  loadModel,
  readModelFolder,
  type ContentMap,
  type ExecutionProvider,
  type ItemVector,
  type LoadModelOptions,
  type ModelFolder,
  type ModelInfo,
  type RecommendationModel,
} from './model.js';
export { assembleBatch, type AssembledBatch, type NeighbourSlots, type RunInputs, type TensorData } from './tensors.js';
export { ModelVocabulary } from './vocabulary.js';
export { readUserScores, type ModelOutputs, type RankedItem, type UserScores } from './batch-scores.js';
export {
  COMPRESSIONS,
  CONTENT_MAP_FORMAT,
  EXCLUDED_SCORE_BIAS,
  MODEL_FORMAT,
  MODEL_INPUTS,
  MODEL_OUTPUTS,
  ModelContractError,
  SAMPLING_POLICY,
  parseModelMetadata,
  type Compression,
  type ModelMetadata,
} from './model-contract.js';
export { addScaled, dot, unitVector } from './vectors.js';
export { openSession } from './session.js';
