import { z } from 'zod';

/** The ONNX model contract of docs/model.md; a model that does not match is refused at load. */
export const MODEL_FORMAT = 'recograph-gat/3';
export const SAMPLING_POLICY = 'most-recent-first/v1';
/**
 * The content map's layout (docs/content.md): `[inputDim × (1 + categoryText) + categories + 1,
 * embeddingDim]`: the rows of `W`, a block `W_c` of `inputDim` rows for each category of
 * `categoryText`, one row `O[c]` for each of `categories`, then `b`. A map that declares no format
 * is format 1, the text-only map of earlier models: the same layout with neither.
 */
export const CONTENT_MAP_FORMAT = 'recograph-content-map/2';

/**
 * How a model folder stores its candidate table and scores it (docs/model.md, Compressed models):
 * `none` (fp32, a folder without the key) or `int8` (int8 rows with a scale each, scored with
 * integer kernels and a shortlist re-scored exactly).
 */
export const COMPRESSIONS = ['none', 'int8'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The tables the graph reads its rows from: held in serving memory, passed with every run. */
export const TABLE_INPUTS = ['item_table', 'candidate_table', 'context_user_table'] as const;
/** The int8 graph's tables: its candidate rows are int8 `[N, d]`, also as columns `[d, N]`, with a scale per item. */
export const INT8_TABLE_INPUTS = ['item_table', 'candidate_table', 'candidate_columns', 'candidate_scale', 'context_user_table'] as const;
/** What one run is about: the users' neighbourhoods, what to exclude, how many to return, what to explain. */
export const RUN_INPUTS = [
  'hop1_items',
  'hop1_weight',
  'hop1_mask',
  'hop2_users',
  'hop2_mask',
  'score_bias',
  'top_k',
  'explain_ranks',
] as const;
export const MODEL_INPUTS = [...TABLE_INPUTS, ...RUN_INPUTS] as const;
export const MODEL_OUTPUTS = [
  'top_scores',
  'top_items',
  'user_vectors',
  'hop1_attention',
  'hop2_attention',
  'hop1_contribution',
  'hop2_contribution',
] as const;

export type TableInputName = (typeof INT8_TABLE_INPUTS)[number];
export type RunInputName = (typeof RUN_INPUTS)[number];
export type ModelInputName = (typeof MODEL_INPUTS)[number];
export type ModelOutputName = (typeof MODEL_OUTPUTS)[number];

/** The `score_bias` that excludes an item: it sinks below every real score. */
export const EXCLUDED_SCORE_BIAS = -1e9;
/** Scores at or below this were excluded by `score_bias`. */
export const EXCLUDED_SCORE_THRESHOLD = -1e8;

const positiveInt = z.number().int().positive();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A file of the model folder, named by its content (`<kind>-<sha256 prefix>.<ext>`). */
const fileEntry = z.object({ file: z.string().regex(/^[\w.-]+$/), sha256 });
const tableEntry = fileEntry.extend({ rows: z.number().int().nonnegative() });

export const modelMetadataSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.string().min(1),
  opset: z.number().int().max(17),
  embeddingDim: positiveInt,
  heads: positiveInt,
  fanouts: z.tuple([positiveInt, positiveInt]),
  similarity: z.enum(['cosine', 'dot']),
  samplingPolicy: z.literal(SAMPLING_POLICY),
  compression: z.enum(COMPRESSIONS).default('none'),
  graph: fileEntry,
  tables: z.object({ items: tableEntry, candidates: tableEntry, candidateScales: tableEntry.optional(), contextUsers: tableEntry }),
  checkpoint: fileEntry.optional(),
  items: z.array(z.string().min(1)).min(1),
  users: z.array(z.string().min(1)),
  /** How serving sizes the vector it estimates for an item the tables lack (docs/model.md, New items). */
  inductive: z.object({ itemNorm: z.number().positive(), priorWeight: z.number().nonnegative() }),
  content: z
    .looseObject({
      encoder: z.looseObject({ name: z.string().min(1), sha256 }),
      map: fileEntry.extend({
        inputDim: positiveInt,
        format: z.string().optional(),
        categories: z.array(z.string().min(1)).optional(),
        categoryText: z.array(z.string().min(1)).optional(),
      }),
    })
    .nullable()
    .optional(),
  training: z.looseObject({ createdAt: z.string().optional(), trainedThrough: z.string().optional() }).optional(),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;
export type ModelFileEntry = z.infer<typeof fileEntry>;

/** Thrown when a model directory does not hold a model that honours the contract. */
export class ModelContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelContractError';
  }
}

export function parseModelMetadata(raw: unknown, source: string): ModelMetadata {
  const compression = typeof raw === 'object' && raw !== null && 'compression' in raw ? raw.compression : 'none';
  if (!(COMPRESSIONS as readonly unknown[]).includes(compression)) {
    throw new ModelContractError(
      `${source} declares compression ${JSON.stringify(compression)}, which this server does not serve (it serves ${COMPRESSIONS.map((c) => JSON.stringify(c)).join(', ')}); ` +
        'write a variant it serves with `python3 -m recograph_training.compress --model FP32_DIR --out DIR --tables int8`, or serve the fp32 folder',
    );
  }
  const result = modelMetadataSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    const format = typeof raw === 'object' && raw !== null && 'format' in raw ? raw.format : undefined;
    const found = format === undefined ? '' : ` (it declares ${JSON.stringify(format)})`;
    const upgrade = format === 'recograph-gat/2' ? '; rewrite it as v3, same weights, with `python3 -m recograph_training.upgrade --model DIR`' : '';
    throw new ModelContractError(`${source} does not match the model contract (${MODEL_FORMAT})${found}: ${problems}${upgrade}`);
  }
  const metadata = result.data;
  if (metadata.embeddingDim % metadata.heads !== 0) {
    throw new ModelContractError(`${source}: embeddingDim ${metadata.embeddingDim} is not divisible by heads ${metadata.heads}`);
  }
  const { items, candidates, candidateScales, contextUsers } = metadata.tables;
  if ((metadata.compression === 'int8') !== (candidateScales !== undefined)) {
    throw new ModelContractError(`${source}: tables.candidateScales is required with compression "int8" and only with it`);
  }
  if (candidateScales !== undefined && candidateScales.rows !== metadata.items.length) {
    throw new ModelContractError(`${source}: tables.candidateScales holds ${candidateScales.rows} rows for ${metadata.items.length} items`);
  }
  if (items.rows !== metadata.items.length || candidates.rows !== metadata.items.length) {
    throw new ModelContractError(`${source}: the item tables hold ${items.rows} and ${candidates.rows} rows for ${metadata.items.length} items`);
  }
  if (contextUsers.rows !== metadata.users.length) {
    throw new ModelContractError(`${source}: the context-user table holds ${contextUsers.rows} rows for ${metadata.users.length} users`);
  }
  const map = metadata.content?.map;
  if (map !== undefined) {
    if (map.format !== undefined && map.format !== CONTENT_MAP_FORMAT) {
      throw new ModelContractError(
        `${source}: content.map.format ${JSON.stringify(map.format)} is not a content map this server reads (${CONTENT_MAP_FORMAT}, or none for a text-only map); ` +
          'refit it with `npm run content:fit -- --model DIR`',
      );
    }
    if (map.format === undefined && (map.categories !== undefined || map.categoryText !== undefined)) {
      throw new ModelContractError(`${source}: content.map lists categories but declares no format (${CONTENT_MAP_FORMAT} has category rows; a map without a format has none)`);
    }
    if (map.format !== undefined && (map.categories === undefined || map.categoryText === undefined)) {
      throw new ModelContractError(`${source}: content.map of format ${CONTENT_MAP_FORMAT} lists no categories or categoryText (empty lists for a text-only map)`);
    }
    const categories = new Set(map.categories);
    if (categories.size !== (map.categories ?? []).length || new Set(map.categoryText).size !== (map.categoryText ?? []).length) {
      throw new ModelContractError(`${source}: content.map.categories or categoryText names a category twice`);
    }
    const stray = (map.categoryText ?? []).find((category) => !categories.has(category));
    if (stray !== undefined) {
      throw new ModelContractError(`${source}: content.map.categoryText names ${JSON.stringify(stray)}, which content.map.categories lacks`);
    }
  }
  return metadata;
}

/** The ONNX inputs a graph of `compression` takes. */
export function modelInputs(compression: Compression): readonly string[] {
  return [...(compression === 'int8' ? INT8_TABLE_INPUTS : TABLE_INPUTS), ...RUN_INPUTS];
}

export function checkSessionSignature(
  inputNames: readonly string[],
  outputNames: readonly string[],
  source: string,
  compression: Compression = 'none',
): void {
  const expectedInputs = modelInputs(compression);
  const describe = (expected: readonly string[], actual: readonly string[]) =>
    `expected [${expected.join(', ')}], found [${actual.join(', ')}]`;
  const same = (expected: readonly string[], actual: readonly string[]) =>
    expected.length === actual.length && expected.every((name) => actual.includes(name));
  if (!same(expectedInputs, inputNames)) {
    throw new ModelContractError(`${source}: ONNX inputs do not match the contract for compression "${compression}": ${describe(expectedInputs, inputNames)}`);
  }
  if (!same(MODEL_OUTPUTS, outputNames)) {
    throw new ModelContractError(`${source}: ONNX outputs do not match the contract: ${describe(MODEL_OUTPUTS, outputNames)}`);
  }
}
