export { variantIndex } from './assignment.js';
export { readExperimentFile, type ExperimentConfig, type RankingRulesConfig, type VariantConfig } from './experiment-config.js';
export { Experiments, type Variant } from './experiments.js';
