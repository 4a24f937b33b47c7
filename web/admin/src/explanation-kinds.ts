import type { AppliedRuleView } from './api.js';

/** `enum ExplanationKind` as this panel knows it; a newer API may send a kind it predates. */
export const EXPLANATION_KINDS = ['ATTENTION', 'CONTENT', 'POPULARITY_FALLBACK', 'SIMILAR_ITEMS', 'RULE'] as const;
export type ExplanationKind = (typeof EXPLANATION_KINDS)[number];

export const knownKind = (kind: string): ExplanationKind | null =>
  (EXPLANATION_KINDS as readonly string[]).includes(kind) ? (kind as ExplanationKind) : null;

/**
 * How the panel shows an explanation of some kind: as the attention graph and its tables, or as its
 * summary sentence alone; `note` says, under the sentence, why there is or is no graph.
 */
export interface KindPresentation {
  readonly drawsGraph: boolean;
  readonly note: string | null;
}

export function kindPresentation(kind: string): KindPresentation {
  const known = knownKind(kind);
  switch (known) {
    case 'ATTENTION':
      return { drawsGraph: true, note: null };
    case 'CONTENT':
      return {
        drawsGraph: true,
        note: 'Content-based: the model knows this item by its text alone (new, not yet interacted with); the attention over the user’s items is exact as for any other.',
      };
    case 'POPULARITY_FALLBACK':
      return { drawsGraph: true, note: 'Popularity fallback: the model could not use any interaction of this user, so there is no attention to show.' };
    case 'SIMILAR_ITEMS':
      return { drawsGraph: false, note: 'Similar items: ranked as like another item; the evidence is how many users chose both, not the user’s attention.' };
    case 'RULE':
      return { drawsGraph: false, note: 'Business rule: a rule placed this item where the ranking did not reach it, so there is no model evidence to draw.' };
    case null:
      return { drawsGraph: false, note: `This panel does not know the explanation kind ${kind}: only the API’s sentence is shown.` };
    default:
      return unreachable(known);
  }
}

function unreachable(kind: never): never {
  throw new Error(`Unhandled explanation kind ${String(kind)}`);
}

/** One applied rule as a phrase: what it did, its name, and its factor or position. */
export function describeRule(rule: AppliedRuleView): string {
  const name = `“${rule.name}”`;
  switch (rule.kind) {
    case 'BOOST':
      return `Boosted by ${name}${rule.factor === null ? '' : ` (score × ${rule.factor})`}`;
    case 'BURY':
      return `Buried by ${name}${rule.factor === null ? '' : ` (score × ${rule.factor})`}`;
    case 'PIN':
      return `Pinned by ${name}${rule.position === null ? '' : ` at position ${rule.position}`}`;
    default:
      return `${rule.kind.toLowerCase()} rule ${name}`;
  }
}

/** “3 users chose both”: a similar item's evidence. */
export const formatSharedUsers = (count: number) => `${count} ${count === 1 ? 'user' : 'users'}`;
