import type { InteractionType } from './store.js';

/** How much each kind of interaction counts when the client gives no explicit weight. */
export const DEFAULT_INTERACTION_WEIGHTS: Readonly<Record<InteractionType, number>> = {
  VIEW: 1,
  CLICK: 1,
  CHECK_IN: 1,
  LIKE: 2,
  ADD_TO_CART: 2,
  PURCHASE: 3,
};

/**
 * The interaction types from weakest to strongest signal. An edge (a user's interactions with one
 * item, merged) is labelled with its strongest type: someone who viewed, then bought, bought it.
 */
export const INTERACTION_TYPE_STRENGTH: readonly InteractionType[] = ['VIEW', 'CLICK', 'CHECK_IN', 'LIKE', 'ADD_TO_CART', 'PURCHASE'];

/** A SQL or Cypher expression giving `type`'s place in `INTERACTION_TYPE_STRENGTH` (0 for any other value). */
export function typeStrengthExpression(type: string): string {
  return `CASE ${type} ${INTERACTION_TYPE_STRENGTH.map((t, i) => `WHEN '${t}' THEN ${i + 1}`).join(' ')} ELSE 0 END`;
}

export const MAX_INTERACTION_WEIGHT = 100;
/** The smallest normal float32: the model reads weights as float32 and takes their log. */
export const MIN_INTERACTION_WEIGHT = 2 ** -126;

/** The accepted weights, in words for error messages. */
export const INTERACTION_WEIGHT_RANGE = `(0, ${MAX_INTERACTION_WEIGHT}], and at least 1.18e-38 (2^-126, so that float32 keeps it)`;

/** Whether `weight` survives float32 as a positive normal number, at most MAX_INTERACTION_WEIGHT. */
export function isInteractionWeight(weight: number): boolean {
  return Number.isFinite(weight) && Math.fround(weight) >= MIN_INTERACTION_WEIGHT && weight <= MAX_INTERACTION_WEIGHT;
}

/** A stored weight as the model may read it: one recorded before `isInteractionWeight` existed is clamped. */
export function modelWeight(weight: number): number {
  return isInteractionWeight(weight) ? weight : Number.isNaN(weight) || weight < MIN_INTERACTION_WEIGHT ? MIN_INTERACTION_WEIGHT : MAX_INTERACTION_WEIGHT;
}

/** The longest user, item or interaction id recograph accepts. */
export const MAX_ID_LENGTH = 128;

/** Letters and digits of any script, combining marks and `. _ ~ : @ / + = | # -`: no spaces, quotes or controls. */
const ID_CHARACTERS = /^[\p{L}\p{M}\p{N}._~:@/+=|#-]+$/u;

export type IdCheck = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly problem: 'length' | 'characters' };

/** An id in NFC, so that "jürgen" typed precomposed or decomposed is one user; or why it is none. */
export function checkId(value: string): IdCheck {
  const id = value.normalize('NFC');
  if (id.length === 0 || id.length > MAX_ID_LENGTH) return { ok: false, problem: 'length' };
  if (!ID_CHARACTERS.test(id)) return { ok: false, problem: 'characters' };
  return { ok: true, id };
}

export function resolveInteractionWeight(type: InteractionType, weight?: number | null): number {
  return weight ?? DEFAULT_INTERACTION_WEIGHTS[type];
}
