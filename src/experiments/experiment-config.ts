import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'must be 1 to 40 letters, digits, _ or -, starting with a letter or digit');

/** The GraphQL `RankingRules` input, in the same shape; its values are checked by the API's own rules at start. */
const rankingRules = z.strictObject({
  boosts: z
    .array(z.strictObject({ name: z.string().optional(), categories: z.array(z.string()).optional(), itemIds: z.array(z.string()).optional(), factor: z.number() }))
    .optional(),
  pins: z.array(z.strictObject({ name: z.string().optional(), itemId: z.string(), position: z.number().int() })).optional(),
  includeInteracted: z.boolean().optional(),
});

export type RankingRulesConfig = z.infer<typeof rankingRules>;

const variant = z.strictObject({
  name,
  /** Its share of users; the shares of an experiment add up to 1. */
  share: z.number().gt(0).max(1),
  /** A model folder of its own, relative to the file; the API's `MODEL_DIR` when left out. */
  modelDir: z.string().min(1).optional(),
  /** Ranking policies applied to its answers when a request gives none of its own. */
  rules: rankingRules.optional(),
  diversity: z.number().optional(),
  maxPerCategory: z.number().int().optional(),
});

const experimentFile = z
  .strictObject({ name, variants: z.array(variant).min(2).max(10) })
  .refine((e) => new Set(e.variants.map((v) => v.name)).size === e.variants.length, { message: 'two variants have the same name', path: ['variants'] })
  .refine((e) => Math.abs(e.variants.reduce((total, v) => total + v.share, 0) - 1) < 1e-9, { message: 'the shares must add up to 1', path: ['variants'] });

export interface VariantConfig {
  readonly name: string;
  readonly share: number;
  /** Absolute; null serves the variant with the API's `MODEL_DIR`. */
  readonly modelDir: string | null;
  readonly rules: RankingRulesConfig | null;
  readonly diversity: number | null;
  readonly maxPerCategory: number | null;
}

/** An A/B experiment: its variants in order, the first being the control. */
export interface ExperimentConfig {
  readonly name: string;
  readonly variants: readonly VariantConfig[];
}

/**
 * Reads and checks an experiment file (docs/feedback.md, "Experiments"); throws a message naming
 * the file and the offending field. Model folders are checked when they load, rules against the
 * catalogue when the API starts.
 */
export function readExperimentFile(path: string): ExperimentConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = experimentFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  }
  return {
    name: parsed.data.name,
    variants: parsed.data.variants.map((v) => ({
      name: v.name,
      share: v.share,
      modelDir: v.modelDir === undefined ? null : resolve(dirname(path), v.modelDir),
      rules: v.rules ?? null,
      diversity: v.diversity ?? null,
      maxPerCategory: v.maxPerCategory ?? null,
    })),
  };
}
