export { DEFAULT_WORKER_HEAP_MIB, loadModel, type ExecutionProvider, type LoadModelOptions, type ModelInfo, type RecommendationModel } from './model.js';
export { assembleBatch, type AssembledBatch, type ModelVocabulary, type NeighbourSlots, type TensorData } from './tensors.js';
export { readUserScores, type ModelOutputs, type RankedItem, type UserScores } from './batch-scores.js';
export {
  MODEL_FORMAT,
  MODEL_INPUTS,
  MODEL_OUTPUTS,
  ModelContractError,
  SAMPLING_POLICY,
  parseModelMetadata,
  type ModelMetadata,
} from './model-contract.js';
export { openSession } from './session.js';
