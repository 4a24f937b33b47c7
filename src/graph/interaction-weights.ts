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

export const MAX_INTERACTION_WEIGHT = 100;

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
