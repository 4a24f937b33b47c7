import './styles.css';
import { ApiError, checkSession, fetchPanel, fetchSimilar, fetchStart, type InteractionView, type RecommendationView } from './api.js';
import { h } from './dom.js';
import { explanationGraph, formatScore } from './explanation-graph.js';
import { kindPresentation } from './explanation-kinds.js';
import { renderAppliedRules, renderHeadBreakdown, renderWeightsTable } from './explanation-tables.js';
import { GraphView } from './graph-view.js';
import { storedToken, storeToken } from './session.js';
import { renderSimilarItems, showVariant } from './similar-items.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const signInForm = $<HTMLFormElement>('sign-in');
const signInWhy = $<HTMLParagraphElement>('sign-in-why');
const tokenInput = $<HTMLInputElement>('token');
const signOut = $<HTMLButtonElement>('sign-out');
const form = $<HTMLFormElement>('user-form');
const userInput = $<HTMLInputElement>('user-id');
const howMany = $<HTMLSelectElement>('how-many');
const status = $<HTMLParagraphElement>('status');
const workspace = $<HTMLDivElement>('workspace');
const interactionList = $<HTMLUListElement>('interactions');
const resetWhatIf = $<HTMLButtonElement>('reset-what-if');
const recommendationRows = $<HTMLTableSectionElement>('recommendations');
const recommendationsVariant = $<HTMLSpanElement>('recommendations-variant');
const whatIfSummary = $<HTMLParagraphElement>('what-if-summary');
const dropped = $<HTMLDivElement>('dropped');
const summary = $<HTMLParagraphElement>('summary');
const rules = $<HTMLDivElement>('rules');
const attention = $<HTMLDivElement>('attention');
const weights = $<HTMLTableElement>('weights');
const heads = $<HTMLDivElement>('heads');
const explanationSection = $<HTMLElement>('explanation');
const similarSummary = $<HTMLParagraphElement>('similar-summary');
const similarRows = $<HTMLTableSectionElement>('similar-items');
const similarVariant = $<HTMLSpanElement>('similar-variant');
const graph = new GraphView($('graph'), $('tooltip'));

interface PanelState {
  userId: string;
  first: number;
  /** The ranking with nothing ignored, to compare "what if" rankings against. */
  baseline: readonly RecommendationView[];
  current: readonly RecommendationView[];
  ignored: Set<string>;
  selectedItemId: string | null;
  /** The item whose similar items are shown or on their way; null before the first pick or after a failure. */
  similarFor: string | null;
}

let state: PanelState | null = null;
let headCount = 2;
/** Answers can arrive out of order; only the latest request may render. */
let latestRequest = 0;
let latestSimilarRequest = 0;

function say(message: string, isError = false): void {
  status.textContent = message;
  status.classList.toggle('error', isError);
}

/** A refused key sends the reader back to the sign-in; any other failure is said once. */
function failed(what: string, error: unknown): void {
  if (error instanceof ApiError && error.needsSignIn) askToSignIn(`${what}: ${error.message} Sign in with an admin API key or token.`);
  else say(`${what}: ${(error as Error).message}`, true);
}

/** Shows the sign-in form, saying why, and nothing that needs data. */
function askToSignIn(why: string): void {
  state = null;
  latestRequest += 1;
  workspace.hidden = true;
  form.hidden = true;
  signOut.hidden = storedToken() === null;
  signInWhy.textContent = why;
  signInForm.hidden = false;
  say('');
  tokenInput.focus();
}

/** Signed in (or no key needed): the user form, the model and the known users. */
async function enter({ focus = false } = {}): Promise<void> {
  signInForm.hidden = true;
  form.hidden = false;
  signOut.hidden = storedToken() === null;
  if (focus) userInput.focus();
  try {
    const { model, users } = await fetchStart(storedToken());
    headCount = model.heads;
    $('model-info').textContent = `Model ${model.version} · ${model.heads} heads · fan-outs ${model.fanouts.join(' × ')}`;
    $('known-users').replaceChildren(...users.nodes.map((u) => h('option', { value: u.id })));
  } catch (error) {
    failed('Could not reach the API', error);
    return;
  }
  const initial = new URL(location.href).searchParams.get('user');
  if (initial) {
    userInput.value = initial;
    void loadUser(initial, Number(howMany.value));
  }
}

const REFUSED = {
  unauthenticated: 'That key or token is not valid.',
  forbidden: 'That key or token is valid but not an admin’s: the panel shows other users’ ids, which only admins may see.',
} as const;

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  say('Checking the key…');
  void (async () => {
    try {
      const check = await checkSession(token);
      if (check !== 'admitted') {
        signInWhy.textContent = REFUSED[check];
        say('');
        return;
      }
      storeToken(token);
      tokenInput.value = '';
      say('Signed in.');
      await enter({ focus: true });
    } catch (error) {
      say(`Could not check the key: ${(error as Error).message}`, true);
    }
  })();
});

signOut.addEventListener('click', () => {
  storeToken(null);
  askToSignIn('Signed out. The key is no longer kept in this tab.');
});

async function loadUser(userId: string, first: number): Promise<void> {
  const request = ++latestRequest;
  say(`Loading ${userId}…`);
  try {
    const { user, recommendations } = await fetchPanel(storedToken(), userId, first, []);
    if (request !== latestRequest) return;
    state = {
      userId,
      first,
      baseline: recommendations,
      current: recommendations,
      ignored: new Set(),
      selectedItemId: recommendations[0]?.item.id ?? null,
      similarFor: null,
    };
    renderInteractions(user?.interactions ?? []);
    render();
    workspace.hidden = false;
    const count = user ? `${user.interactionCount} interactions` : 'an unknown user';
    say(`${userId}: ${count}, ${recommendations.length} recommendations.`);
    const url = new URL(location.href);
    url.searchParams.set('user', userId);
    history.replaceState(null, '', url);
  } catch (error) {
    if (request === latestRequest) failed(`Could not load ${userId}`, error);
  }
}

async function rerank(): Promise<void> {
  if (!state) return;
  const request = ++latestRequest;
  const { userId, first, ignored } = state;
  say(ignored.size ? `Re-ranking without ${ignored.size} interaction(s)…` : 'Restoring the real ranking…');
  try {
    const { recommendations } = await fetchPanel(storedToken(), userId, first, [...ignored]);
    if (request !== latestRequest || state?.userId !== userId) return;
    state.current = recommendations;
    if (!recommendations.some((r) => r.item.id === state!.selectedItemId)) state.selectedItemId = recommendations[0]?.item.id ?? null;
    render();
    say(ignored.size ? 'What-if ranking shown.' : 'Real ranking shown.');
  } catch (error) {
    if (request === latestRequest) failed('Could not re-rank', error);
  }
}

function renderInteractions(interactions: readonly InteractionView[]): void {
  resetWhatIf.disabled = true;
  if (interactions.length === 0) {
    interactionList.replaceChildren(h('li', { class: 'muted' }, 'No interactions.'));
    return;
  }
  interactionList.replaceChildren(
    ...interactions.map((interaction, i) => {
      const id = `ignore-${i}`;
      const checkbox = h('input', { type: 'checkbox', id, 'data-item': interaction.item.id });
      checkbox.addEventListener('change', () => toggleIgnored(interaction.item.id, checkbox.checked));
      const when = new Date(interaction.occurredAt).toISOString().slice(0, 10);
      return h(
        'li',
        {},
        checkbox,
        h(
          'label',
          { for: id },
          h('span', { class: 'title' }, `Hide “${interaction.item.title}”`),
          h('span', { class: 'muted small' }, `${interaction.type.toLowerCase().replaceAll('_', ' ')} · ${interaction.item.category ?? 'no category'} · ${when}`),
        ),
      );
    }),
  );
}

function toggleIgnored(itemId: string, hidden: boolean): void {
  if (!state) return;
  if (hidden) state.ignored.add(itemId);
  else state.ignored.delete(itemId);
  // One item may appear in several interactions: keep their boxes in step.
  for (const box of interactionList.querySelectorAll<HTMLInputElement>(`input[data-item="${CSS.escape(itemId)}"]`)) box.checked = hidden;
  resetWhatIf.disabled = state.ignored.size === 0;
  void rerank();
}

resetWhatIf.addEventListener('click', () => {
  if (!state) return;
  state.ignored.clear();
  for (const box of interactionList.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) box.checked = false;
  resetWhatIf.disabled = true;
  void rerank();
});

function render(): void {
  if (!state) return;
  const whatIf = state.ignored.size > 0;
  const before = new Map(state.baseline.map((r) => [r.item.id, r.rank]));
  recommendationRows.replaceChildren(
    ...state.current.map((r) => {
      const selected = r.item.id === state!.selectedItemId;
      const button = h('button', { type: 'button', class: 'link', 'aria-pressed': selected ? 'true' : 'false' }, r.item.title);
      button.addEventListener('click', () => select(r.item.id));
      return h(
        'tr',
        { class: selected ? 'selected' : null, 'data-item': r.item.id },
        h('td', { class: 'num' }, String(r.rank)),
        h('td', {}, button, h('span', { class: 'muted small block' }, r.item.category ?? '')),
        h('td', { class: 'num', 'data-score': r.score }, formatScore(r.score, r.explanation.kind)),
        h('td', { class: 'change' }, whatIf ? change(before.get(r.item.id), r.rank) : '—'),
      );
    }),
  );
  showVariant(recommendationsVariant, state.current[0]?.variant);
  const now = new Set(state.current.map((r) => r.item.id));
  const gone = state.baseline.filter((r) => !now.has(r.item.id));
  whatIfSummary.hidden = !whatIf;
  whatIfSummary.textContent = whatIf
    ? `What if: ranked as if the user had never had ${state.ignored.size} of their interactions. ${state.current.length - (state.baseline.length - gone.length)} new in the list, ${gone.length} dropped out.`
    : '';
  dropped.hidden = !whatIf || gone.length === 0;
  dropped.replaceChildren(h('h3', {}, 'Dropped out'), h('ul', {}, ...gone.map((r) => h('li', {}, `${r.item.title} (was #${r.rank})`))));
  renderExplanation();
  if (state.selectedItemId !== state.similarFor) void loadSimilar();
}

function change(before: number | undefined, after: number): HTMLElement {
  if (before === undefined) return h('span', { class: 'badge new' }, 'new');
  if (before === after) return h('span', { class: 'badge same' }, 'same');
  const up = before > after;
  return h('span', { class: `badge ${up ? 'up' : 'down'}`, title: `was #${before}` }, `${up ? '▲' : '▼'} ${Math.abs(before - after)}`);
}

function select(itemId: string): void {
  if (!state) return;
  state.selectedItemId = itemId;
  render();
  // Focusing alone would scroll the tall section to its middle on a phone: show its start, unless
  // it is in view already (beside the list, on a wide screen).
  explanationSection.focus({ preventScroll: true });
  const { top } = explanationSection.getBoundingClientRect();
  if (top < 0 || top > window.innerHeight / 3) explanationSection.scrollIntoView({ block: 'start' });
}

function renderExplanation(): void {
  const recommendation = state?.current.find((r) => r.item.id === state!.selectedItemId);
  if (!state || !recommendation) {
    summary.textContent = 'No recommendation to explain.';
    renderAppliedRules(rules, []);
    attention.hidden = true;
    return;
  }
  const { explanation } = recommendation;
  const { drawsGraph, note } = kindPresentation(explanation.kind);
  summary.replaceChildren(
    h('strong', {}, `#${recommendation.rank} ${recommendation.item.title}`),
    ` — ${explanation.summary}`,
    ...(note === null ? [] : [h('span', { class: 'muted block', 'data-kind': explanation.kind }, note)]),
  );
  renderAppliedRules(rules, explanation.rules);
  attention.hidden = !drawsGraph;
  if (!drawsGraph) {
    graph.show({ nodes: [], edges: [] });
    return;
  }
  graph.show(explanationGraph(state.userId, recommendation));
  $('graph').setAttribute('aria-label', `Explanation graph for ${recommendation.item.title}: ${explanation.contributions.length} of the user’s items and their co-users; the tables below list every edge.`);
  renderWeightsTable(weights, state.userId, recommendation, (edgeId) => graph.highlight(edgeId));
  renderHeadBreakdown(heads, state.userId, recommendation, headCount);
}

/** One request for the items like the picked one, personalised for the user; only the latest pick's answer renders. */
async function loadSimilar(): Promise<void> {
  const panel = state;
  if (!panel) return;
  const request = ++latestSimilarRequest;
  const picked = panel.current.find((r) => r.item.id === panel.selectedItemId);
  panel.similarFor = picked?.item.id ?? null;
  similarRows.replaceChildren();
  showVariant(similarVariant, null);
  similarSummary.classList.remove('error');
  if (!picked) {
    similarSummary.textContent = 'Pick a recommendation to see the items like it.';
    return;
  }
  const title = `“${picked.item.title}”`;
  similarSummary.textContent = `Loading the items like ${title}…`;
  try {
    const { similarItems } = await fetchSimilar(storedToken(), picked.item.id, panel.userId);
    if (request !== latestSimilarRequest || state !== panel) return;
    renderSimilarItems(similarRows, similarItems);
    showVariant(similarVariant, similarItems[0]?.variant);
    similarSummary.textContent =
      similarItems.length > 0
        ? `Items like ${title} for ${panel.userId}, most similar first (the user’s own items left out, a little of their score blended in).`
        : `No items like ${title}: the model has no row for it, or every similar item is one of ${panel.userId}’s own.`;
  } catch (error) {
    if (request !== latestSimilarRequest || state !== panel) return;
    panel.similarFor = null; // picking it again retries
    if (error instanceof ApiError && error.needsSignIn) failed(`Could not load the items like ${title}`, error);
    else {
      similarSummary.textContent = `Could not load the items like ${title}: ${(error as Error).message}`;
      similarSummary.classList.add('error');
    }
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const userId = userInput.value.trim();
  if (userId) void loadUser(userId, Number(howMany.value));
});

declare global {
  interface Window {
    /** For end-to-end tests and debugging: what the graph currently draws. */
    recographPanel: { graph: () => ReturnType<GraphView['describe']> };
  }
}
window.recographPanel = { graph: () => graph.describe() };

void (async () => {
  const saved = storedToken();
  try {
    const check = await checkSession(saved);
    if (check === 'admitted') return await enter();
    storeToken(null);
    askToSignIn(saved === null ? 'This API needs an admin API key or token: the panel shows other users’ ids.' : `The saved key was refused. ${REFUSED[check]}`);
  } catch (error) {
    say(`Could not reach the API: ${(error as Error).message}`, true);
  }
})();
