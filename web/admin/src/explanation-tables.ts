import type { AppliedRuleView, ContributionView, RecommendationView } from './api.js';
import { h, weightCell } from './dom.js';
import { formatWeight, hopName, itemNodeId, userNodeId } from './explanation-graph.js';
import { describeRule } from './explanation-kinds.js';

interface Row {
  readonly contribution: ContributionView;
  /** The graph edge this row describes. */
  readonly edgeId: string;
  readonly neighbour: string;
  readonly via: string;
}

function rows(userId: string, recommendation: RecommendationView): Row[] {
  return recommendation.explanation.contributions.flatMap((c) => [
    { contribution: c, edgeId: `${itemNodeId(c.item.id)}->${userNodeId(userId)}`, neighbour: c.item.title, via: '' },
    ...(c.evidence ?? [])
      .filter((e) => e.user)
      .map((e) => ({
        contribution: e,
        edgeId: `${userNodeId(e.user!.id)}->${itemNodeId(c.item.id)}`,
        neighbour: e.user!.id,
        via: c.item.title,
      })),
  ]);
}

const neighbourCell = (row: Row) =>
  h('th', { scope: 'row', class: 'neighbour' }, row.neighbour, row.via ? h('span', { class: 'muted small block' }, `via ${row.via}`) : null);

const strongest = (values: number[]) => Math.max(...values.map(Math.abs), Number.MIN_VALUE);

/**
 * The weights table: one row per graph edge, in the API's order, each weight exactly as the API
 * returned it in `data-weight`. Focusing a row highlights its edge.
 */
export function renderWeightsTable(
  table: HTMLTableElement,
  userId: string,
  recommendation: RecommendationView,
  onFocusEdge: (edgeId: string | null) => void,
): void {
  const all = rows(userId, recommendation);
  const maxByLayer = new Map([2, 1].map((layer) => [layer, strongest(all.filter((r) => r.contribution.layer === layer).map((r) => r.contribution.weight))]));
  const maxShare = strongest(all.map((r) => r.contribution.share));
  table.tHead!.replaceChildren(
    h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Hop'),
      h('th', { scope: 'col' }, 'Neighbour'),
      h('th', { scope: 'col', class: 'num' }, 'Attention'),
      h('th', { scope: 'col', class: 'num' }, 'Share of score'),
    ),
  );
  table.tBodies[0]!.replaceChildren(
    ...all.map((row) => {
      const c = row.contribution;
      const tr = h(
        'tr',
        { tabindex: 0, 'data-edge': row.edgeId, class: `hop-${c.hop}` },
        h('td', { class: 'hop' }, `${c.hop} `, h('span', { class: 'muted small block' }, `(layer ${c.layer})`)),
        neighbourCell(row),
        weightCell(c.weight, Math.abs(c.weight) / maxByLayer.get(c.layer)!, formatWeight(c.weight)),
        weightCell(c.share, Math.abs(c.share) / maxShare, formatWeight(c.share)),
      );
      tr.addEventListener('focus', () => onFocusEdge(row.edgeId));
      tr.addEventListener('mouseenter', () => onFocusEdge(row.edgeId));
      tr.addEventListener('blur', () => onFocusEdge(null));
      tr.addEventListener('mouseleave', () => onFocusEdge(null));
      return tr;
    }),
  );
}

/** Per layer, each neighbour's attention in each head: where the heads agree and where they differ. */
export function renderHeadBreakdown(container: HTMLElement, userId: string, recommendation: RecommendationView, heads: number): void {
  const all = rows(userId, recommendation);
  const layers = [
    { hop: 1, layer: 2, what: 'the user attends over their own items' },
    { hop: 2, layer: 1, what: 'each item attends over other users (path weight)' },
  ];
  container.replaceChildren(
    ...layers.map(({ hop, layer, what }) => {
      const members = all.filter((r) => r.contribution.layer === layer);
      const max = strongest(members.flatMap((r) => [...r.contribution.headWeights]));
      const headColumns = Array.from({ length: heads }, (_, i) => h('th', { scope: 'col', class: 'num' }, `Head ${i + 1}`));
      return h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'weights heads-table', 'data-layer': layer },
          h('caption', {}, `${hopName({ hop, layer })}: ${what}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Neighbour'), ...headColumns, h('th', { scope: 'col', class: 'num' }, 'Mean'))),
          h(
            'tbody',
            {},
            ...(members.length === 0
              ? [h('tr', {}, h('td', { colspan: heads + 2 }, 'No neighbours at this layer.'))]
              : members.map((r) =>
                  h(
                    'tr',
                    {},
                    neighbourCell(r),
                    ...r.contribution.headWeights.map((w) => weightCell(w, Math.abs(w) / max, formatWeight(w))),
                    h('td', { class: 'num', 'data-weight': r.contribution.weight }, formatWeight(r.contribution.weight)),
                  ),
                )),
          ),
        ),
      );
    }),
  );
}

/** The business rules that moved the item, in the order applied; hidden when none did. */
export function renderAppliedRules(container: HTMLElement, rules: readonly AppliedRuleView[]): void {
  container.hidden = rules.length === 0;
  container.replaceChildren(
    ...(rules.length === 0 ? [] : [h('h3', {}, 'Rules applied'), h('ol', { class: 'rules' }, ...rules.map((rule) => h('li', { 'data-rule': rule.kind }, describeRule(rule))))]),
  );
}
