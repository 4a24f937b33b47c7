import { z } from 'zod';

/** The ONNX model contract of docs/model.md; a model that does not match is refused at load. */
export const MODEL_FORMAT = 'recograph-gat/2';
export const SAMPLING_POLICY = 'most-recent-first/v1';

export const MODEL_INPUTS = [
  'hop1_items',
  'hop1_weight',
  'hop1_mask',
  'hop2_users',
  'hop2_mask',
  'candidate_mask',
  'explain_ranks',
] as const;
export const MODEL_OUTPUTS = [
  'top_scores',
  'top_items',
  'hop1_attention',
  'hop2_attention',
  'hop1_contribution',
  'hop2_contribution',
] as const;

export type ModelInputName = (typeof MODEL_INPUTS)[number];
export type ModelOutputName = (typeof MODEL_OUTPUTS)[number];

/** Scores at or below this were masked out by `candidate_mask` (the model subtracts 1e9). */
export const EXCLUDED_SCORE_THRESHOLD = -1e8;

const positiveInt = z.number().int().positive();

export const modelMetadataSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.string().min(1),
  onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
  opset: z.number().int().max(17),
  embeddingDim: positiveInt,
  heads: positiveInt,
  fanouts: z.tuple([positiveInt, positiveInt]),
  topK: positiveInt,
  samplingPolicy: z.literal(SAMPLING_POLICY),
  items: z.array(z.string().min(1)).min(1),
  users: z.array(z.string().min(1)),
  training: z.looseObject({ createdAt: z.string().optional() }).optional(),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

/** Thrown when a model directory does not hold a model that honours the contract. */
export class ModelContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelContractError';
  }
}

export function parseModelMetadata(raw: unknown, source: string): ModelMetadata {
  const result = modelMetadataSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelContractError(`${source} does not match the model contract (${MODEL_FORMAT}): ${problems}`);
  }
  const metadata = result.data;
  if (metadata.embeddingDim % metadata.heads !== 0) {
    throw new ModelContractError(`${source}: embeddingDim ${metadata.embeddingDim} is not divisible by heads ${metadata.heads}`);
  }
  if (metadata.topK > metadata.items.length) {
    throw new ModelContractError(`${source}: topK ${metadata.topK} exceeds the ${metadata.items.length} items`);
  }
  return metadata;
}

export function checkSessionSignature(inputNames: readonly string[], outputNames: readonly string[], source: string): void {
  const describe = (expected: readonly string[], actual: readonly string[]) =>
    `expected [${expected.join(', ')}], found [${actual.join(', ')}]`;
  const same = (expected: readonly string[], actual: readonly string[]) =>
    expected.length === actual.length && expected.every((name) => actual.includes(name));
  if (!same(MODEL_INPUTS, inputNames)) {
    throw new ModelContractError(`${source}: ONNX inputs do not match the contract: ${describe(MODEL_INPUTS, inputNames)}`);
  }
  if (!same(MODEL_OUTPUTS, outputNames)) {
    throw new ModelContractError(`${source}: ONNX outputs do not match the contract: ${describe(MODEL_OUTPUTS, outputNames)}`);
  }
}
