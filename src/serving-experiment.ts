import { ConfigError, type Config } from './config.js';
import { BadUserInputError } from './errors.js';
import { Experiments, type ExperimentConfig, type Variant } from './experiments/index.js';
import type { CatalogueFollower } from './recommendations/index.js';
import { rankingPolicyOf } from './resolvers/recommendation-arguments.js';
import { ServingModel, type ModelReloadOutcome, type ServingModelOptions } from './serving-model.js';

/** The serving models of an experiment's variants beside the API's own (`MODEL_DIR`). */
export interface ServingExperiment {
  readonly experiments: Experiments;
  /** Tells every serving model of item and interaction writes; knows items as the API's model does. */
  readonly catalogue: CatalogueFollower;
  /** Reloads every model from its own folder (SIGHUP); answers with the API's model's outcome. */
  reload(): Promise<ModelReloadOutcome>;
  /** Closes the variants' own models (the API's is its owner's to close). */
  close(): Promise<void>;
}

/**
 * Starts a serving model for each distinct model folder the experiment's variants name (a variant
 * without one, or naming `MODEL_DIR`, shares the API's), and checks each variant's rules against
 * the catalogue as a request's would be: a bad rule stops the start naming the variant.
 */
export async function startServingExperiment(
  main: ServingModel,
  options: ServingModelOptions & { readonly config: Pick<Config, 'modelDir'> },
  experiment: ExperimentConfig | null,
): Promise<ServingExperiment> {
  const own = new Map<string, ServingModel>();
  const servingOf = async (modelDir: string | null) => {
    if (modelDir === null || modelDir === options.config.modelDir) return main;
    let serving = own.get(modelDir);
    if (!serving) {
      serving = await ServingModel.start({ ...options, config: { ...options.config, modelDir } });
      own.set(modelDir, serving);
    }
    return serving;
  };
  const close = () => Promise.all([...own.values()].map((s) => s.close())).then(() => {});
  try {
    const variants: Variant[] = [];
    for (const v of experiment?.variants ?? []) {
      const policy = await variantPolicy(options, v.name, v);
      variants.push({ name: v.name, share: v.share, recommender: (await servingOf(v.modelDir)).recommender, policy });
    }
    const all = [main, ...own.values()];
    return {
      experiments: experiment ? Experiments.of(experiment.name, variants, main.recommender) : Experiments.none(main.recommender),
      catalogue: {
        itemsChanged: (itemIds) => Promise.all(all.map((s) => s.catalogue.itemsChanged(itemIds))).then(() => {}),
        interactionsRecorded: (itemIds) => Promise.all(all.map((s) => s.catalogue.interactionsRecorded(itemIds))).then(() => {}),
        knowledgeOf: (itemId) => main.catalogue.knowledgeOf(itemId),
        coverage: () => main.catalogue.coverage(),
      },
      async reload() {
        const [outcome] = await Promise.all([main.reload(), ...[...own.values()].map((s) => s.reload())]);
        return outcome!;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function variantPolicy({ store }: ServingModelOptions, name: string, variant: ExperimentConfig['variants'][number]) {
  try {
    return await rankingPolicyOf({ categories: () => store.categories() }, variant);
  } catch (error) {
    if (!(error instanceof BadUserInputError)) throw error;
    throw new ConfigError(`Invalid configuration: EXPERIMENTS_FILE: variant ${name}: ${error.message}`);
  }
}
