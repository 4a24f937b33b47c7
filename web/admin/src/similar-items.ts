import type { SimilarItemView } from './api.js';
import { h } from './dom.js';
import { formatWeight } from './explanation-graph.js';
import { formatSharedUsers } from './explanation-kinds.js';

/**
 * The similar-items table: one row per item, most similar first, its score exactly as the API
 * returned it in `data-score` and the API's sentence under its title.
 */
export function renderSimilarItems(rows: HTMLTableSectionElement, similar: readonly SimilarItemView[]): void {
  rows.replaceChildren(
    ...similar.map((s) =>
      h(
        'tr',
        { 'data-item': s.item.id },
        h('td', { class: 'num' }, String(s.rank)),
        h(
          'th',
          { scope: 'row' },
          h('span', { class: 'title' }, s.item.title),
          h('span', { class: 'muted small block' }, s.item.category ?? ''),
          h('span', { class: 'block summary-sentence', 'data-kind': s.explanation.kind }, s.explanation.summary),
        ),
        h('td', { class: 'num', 'data-score': s.score }, formatWeight(s.score)),
        h('td', { class: 'num', 'data-shared-users': s.sharedUserCount }, formatSharedUsers(s.sharedUserCount)),
      ),
    ),
  );
}

/** The small label that names the experiment variant behind an answer; hidden outside an experiment. */
export function showVariant(label: HTMLElement, variant: string | null | undefined): void {
  label.hidden = variant === null || variant === undefined;
  label.textContent = label.hidden ? '' : `Variant ${variant}`;
  label.title = label.hidden ? '' : 'The experiment variant that served this answer';
}
