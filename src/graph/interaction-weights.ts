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

export function resolveInteractionWeight(type: InteractionType, weight?: number | null): number {
  return weight ?? DEFAULT_INTERACTION_WEIGHTS[type];
}
