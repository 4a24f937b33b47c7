import type { InteractionType, ItemRecord } from '../graph/index.js';

/**
 * The one place explanation sentences are worded, for every kind of result, so a client's panel
 * reads the same whichever ranking produced an item.
 */

/** One of the user's own interactions given as a reason: the item and what they did with it. */
export interface Reason {
  readonly item: ItemRecord;
  readonly type: InteractionType;
}

const quote = (item: ItemRecord) => `“${item.title}”`;

/** What the user did, as a phrase around the quoted item ("bought “X”"). */
const DID: Readonly<Record<InteractionType, (item: string) => string>> = {
  VIEW: (item) => `viewed ${item}`,
  CLICK: (item) => `clicked ${item}`,
  CHECK_IN: (item) => `checked in at ${item}`,
  LIKE: (item) => `liked ${item}`,
  ADD_TO_CART: (item) => `put ${item} in your basket`,
  PURCHASE: (item) => `bought ${item}`,
};

/** "you bought “X” and “Y”", "you bought “X” and viewed “Y”". */
function whatYouDid(reasons: readonly Reason[]): string {
  const [first, second] = reasons;
  if (!second) return `you ${DID[first!.type](quote(first!.item))}`;
  if (first!.type === second.type && first!.type !== 'ADD_TO_CART') {
    return `you ${DID[first!.type](`${quote(first!.item)} and ${quote(second.item)}`)}`;
  }
  return `you ${DID[first!.type](quote(first!.item))} and ${DID[second.type](quote(second.item))}`;
}

/** Ranked by the model's attention over the user's items; `reasons` are the largest positive shares first. */
export function becauseSentence(reasons: readonly Reason[]): string {
  if (reasons.length === 0) return 'Ranked by the model from your recent activity.';
  return `Because ${whatYouDid(reasons.slice(0, 2))}.`;
}

/** An item the model knows by its text alone, ranked against the user's items through it. */
export function contentSentence(reasons: readonly Reason[]): string {
  if (reasons.length === 0) return 'New, and similar in content to what you chose before.';
  const [top] = reasons;
  return `New, and similar in content to ${quote(top!.item)}: ${whatYouDid([top!])}.`;
}

/** An item close to `source` in the model's item space: the two are chosen by the same people. */
export function alsoChoseSentence(source: ItemRecord, item: ItemRecord): string {
  return `People who chose ${quote(source)} also chose ${quote(item)}.`;
}

/** Why a popularity fallback was used instead of the model. */
export type FallbackReason = 'UNKNOWN_USER' | 'NO_INTERACTIONS' | 'NO_MODELLED_INTERACTIONS' | 'NO_MODELLED_SESSION_ITEMS';

const FALLBACK_SENTENCES: Readonly<Record<FallbackReason, string>> = {
  UNKNOWN_USER: 'Popular with other users: we do not know you yet.',
  NO_INTERACTIONS: 'Popular with other users: you have no interactions yet.',
  NO_MODELLED_INTERACTIONS: 'Popular with other users: your interactions are all with items the model does not know yet.',
  NO_MODELLED_SESSION_ITEMS: 'Popular with other users: nothing you looked at in this visit is an item the model knows yet.',
};

export function fallbackSentence(reason: FallbackReason): string {
  return FALLBACK_SENTENCES[reason];
}

/** A business rule that moved an item, as an explanation reports it. */
export type AppliedRule =
  | { readonly kind: 'BOOST' | 'BURY'; readonly name: string; readonly factor: number }
  | { readonly kind: 'PIN'; readonly name: string; readonly position: number };

const RULE_SENTENCES: Readonly<Record<AppliedRule['kind'], (rule: string) => string>> = {
  BOOST: (rule) => `Boosted by rule ${rule}.`,
  BURY: (rule) => `Buried by rule ${rule}.`,
  PIN: (rule) => `Placed here by rule ${rule}.`,
};

/** "Boosted by rule “summer”." for each rule that moved the item, in the order applied. */
export function ruleSentence(rules: readonly AppliedRule[]): string {
  return rules.map((rule) => RULE_SENTENCES[rule.kind](`“${rule.name}”`)).join(' ');
}
