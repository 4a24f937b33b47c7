import { z } from 'zod';

export const TEXT_ENCODER_FORMAT = 'recograph-text-encoder/1';

/** A text encoder folder that does not hold what its `encoder.json` promises. */
export class TextEncoderContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextEncoderContractError';
  }
}

const fileSchema = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});

const encoderMetadataSchema = z.object({
  format: z.literal(TEXT_ENCODER_FORMAT),
  model: fileSchema,
  tokenizer: fileSchema,
  tokenizerConfig: fileSchema,
  vocab: fileSchema,
  inputs: z.tuple([z.literal('input_ids'), z.literal('attention_mask')]),
  output: z.literal('embeddings'),
  dimension: z.number().int().positive(),
  maxTokens: z.number().int().min(3),
  pooling: z.string(),
  source: z.object({
    model: z.string(),
    revision: z.string(),
    licence: z.string(),
    package: z.string(),
    packageVersion: z.string(),
  }),
});

export type EncoderFile = z.infer<typeof fileSchema>;
export type EncoderMetadata = z.infer<typeof encoderMetadataSchema>;

/** Validates `encoder.json` (written by tools/text-encoder/export.py); `source` names it in errors. */
export function parseEncoderMetadata(raw: unknown, source: string): EncoderMetadata {
  const result = encoderMetadataSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new TextEncoderContractError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
