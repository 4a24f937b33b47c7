import { randomBytes } from 'node:crypto';
import type { RecommendationSurface } from '../graph/index.js';

/** What served an answer: the labels its impressions and the feedback on them are counted under. */
export interface AnswerLabels {
  readonly surface: RecommendationSurface;
  readonly experiment: string | null;
  readonly variant: string | null;
  readonly modelVersion: string;
}

const PREFIX = 'r1.';
const SURFACES: readonly RecommendationSurface[] = ['RECOMMENDATIONS', 'SIMILAR_ITEMS'];

/**
 * A new answer's id: random, and carrying its labels, so that any API process can count an
 * interaction that names it under its variant without a lookup. The labels are no secret (the
 * answer names its variant); the durable report never trusts them, it joins on the stored impressions.
 */
export function newRecommendationId(labels: AnswerLabels): string {
  const { surface, experiment, variant, modelVersion } = labels;
  const payload = JSON.stringify([randomBytes(12).toString('base64url'), SURFACES.indexOf(surface), experiment, variant, modelVersion]);
  return PREFIX + Buffer.from(payload).toString('base64url');
}

/** The labels an id of `newRecommendationId` carries; null for any other string. */
export function recommendationLabels(id: string): AnswerLabels | null {
  if (!id.startsWith(PREFIX)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(id.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return null;
  const [, surfaceIndex, experiment, variant, modelVersion] = parsed as unknown[];
  const surface = typeof surfaceIndex === 'number' ? SURFACES[surfaceIndex] : undefined;
  const text = (value: unknown) => value === null || typeof value === 'string';
  if (surface === undefined || !text(experiment) || !text(variant) || typeof modelVersion !== 'string') return null;
  return { surface, experiment: experiment as string | null, variant: variant as string | null, modelVersion };
}
