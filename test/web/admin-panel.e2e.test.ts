import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium floods the closed network with refused connections.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = 'test-output';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPED explanation panel end-to-end test: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const READER = 'reader-key-0123456789';
const ADMIN = 'admin-key-01234567890';
const asAdmin = { authorization: `Bearer ${ADMIN}` };

/** What the panel asks for, asked of the API directly: the numbers the page must show. */
const EXPECTED = /* GraphQL */ `
  query Expected($userId: ID!, $ignore: [ID!]) {
    user(id: $userId) { interactions(first: 20) { item { id title } } }
    recommendations(userId: $userId, first: 10, ignoreItemIds: $ignore) {
      rank
      score
      item { id title }
      explanation {
        contributions(first: 8) { weight share item { id title } evidence(first: 3) { weight share user { id } } }
      }
    }
  }
`;

/** The similar items the panel lists for a picked item, asked of the API directly. */
const EXPECTED_SIMILAR = /* GraphQL */ `
  query ExpectedSimilar($itemId: ID!, $userId: ID!) {
    similarItems(itemId: $itemId, first: 10, userId: $userId) { rank score sharedUserCount item { title } explanation { kind summary } }
  }
`;

/** What `window.recographPanel.graph()` returns: node ids, each edge's midpoint and width on screen, the labels' size on screen. */
interface DrawnGraph {
  readonly nodes: string[];
  readonly edges: { id: string; midpoint: { x: number; y: number }; width: number }[];
  readonly labelPixels: number;
}

const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');

describe.skipIf(!hasChromium)('the explanation panel in headless Chromium', () => {
  let server: TestServer;
  let browser: BrowserContext;
  let panelUrl: string;
  beforeAll(async () => {
    await build({ configFile: 'web/admin/vite.config.ts', logLevel: 'silent' });
    server = await startTestServer({}, { API_KEYS: `${READER}:reader,${ADMIN}:admin` });
    panelUrl = server.url.replace(/\/graphql$/, '/admin/');
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'recograph-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh tab on the panel; `failures` collects page errors, failed requests and GraphQL requests sent without the admin key. */
  async function newPanelPage(width: number, height: number): Promise<{ page: Page; failures: string[] }> {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => {
      // A reload the test makes cancels what is still loading (the favicon, say): that is no failure.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${request.url()} ${request.failure()?.errorText}`);
    });
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.headers().authorization !== `Bearer ${ADMIN}`) failures.push(`${request.url()} without the key`);
    });
    await page.goto(panelUrl);
    return { page, failures };
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.getByLabel('Admin API key or token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The panel, signed in as admin, with the known users loaded. */
  async function openPanel(width: number, height: number): Promise<Page> {
    const { page, failures } = await newPanelPage(width, height);
    await signIn(page, ADMIN);
    await expect.poll(() => page.locator('#known-users option').count()).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    return page;
  }

  const storedToken = (page: Page) => page.evaluate("sessionStorage.getItem('recograph.panel.token')");

  const shownRanking = (page: Page) =>
    page.locator('#recommendations tr').evaluateAll((rows) =>
      rows.map((row) => ({
        rank: Number(row.querySelector('td')!.textContent),
        title: row.querySelector('button')!.textContent,
        score: Number(row.querySelector('[data-score]')!.getAttribute('data-score')),
      })),
    );

  const apiRanking = (recommendations: any[]) =>
    recommendations.map((r) => ({ rank: r.rank, title: r.item.title, score: r.score }));

  const shownSimilar = (page: Page) =>
    page.locator('#similar-items tr').evaluateAll((rows) =>
      rows.map((row) => ({
        rank: Number(row.querySelector('td')!.textContent),
        title: row.querySelector('.title')!.textContent,
        score: Number(row.querySelector('[data-score]')!.getAttribute('data-score')),
        sharedUserCount: Number(row.querySelector('[data-shared-users]')!.getAttribute('data-shared-users')),
        summary: row.querySelector('.summary-sentence')!.textContent,
      })),
    );

  const apiSimilar = (similarItems: any[]) =>
    similarItems.map((s) => ({ rank: s.rank, title: s.item.title, score: s.score, sharedUserCount: s.sharedUserCount, summary: s.explanation.summary }));

  /** The panel's GraphQL operations by name, as the page sends them. */
  const operations = (page: Page) => {
    const names: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) names.push(/query (\w+)/.exec(JSON.parse(request.postData() ?? '{}').query ?? '')?.[1] ?? '?');
    });
    return names;
  };

  it('loads without a key but asks for an admin’s before any data, keeps it for the tab only, and signs out', async () => {
    const { page, failures } = await newPanelPage(390, 844);
    const statuses = new Map<string, number>();
    page.on('response', (response) => statuses.set(new URL(response.url()).pathname, response.status()));
    await page.reload();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#user-form').isVisible()).toBe(false);
    expect(await page.locator('#workspace').isVisible()).toBe(false);
    // The page and its assets came without a key; only the session check was refused.
    expect([...statuses].filter(([, status]) => status >= 400)).toEqual([['/admin/session', 401]]);
    expect([...statuses.keys()].filter((path) => path.startsWith('/admin/assets/')).length).toBeGreaterThan(0);
    const icon = (await page.evaluate("document.querySelector('link[rel~=icon]')?.href ?? null")) as string | null;
    expect(icon).toMatch(/\/admin\/favicon\.svg$/);
    const favicon = await fetch(icon!);
    expect([favicon.status, favicon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-sign-in-390x844.png') });

    await signIn(page, 'not-a-key-of-this-api');
    await expect.poll(() => page.locator('#sign-in-why').textContent()).toBe('That key or token is not valid.');
    await signIn(page, READER);
    await expect.poll(() => page.locator('#sign-in-why').textContent()).toContain('not an admin’s');
    expect(await storedToken(page)).toBeNull();
    expect(await page.locator('#user-form').isVisible()).toBe(false);

    await signIn(page, ADMIN);
    await expect.poll(() => page.locator('#known-users option').count()).toBeGreaterThan(0);
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(await focusedId(page)).toBe('user-id');
    expect(await storedToken(page)).toBe(ADMIN);
    expect(await page.locator('#workspace').isVisible()).toBe(false);
    // A reload keeps the tab signed in.
    await page.reload();
    await expect.poll(() => page.locator('#known-users option').count()).toBeGreaterThan(0);
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(failures).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#user-form').isVisible()).toBe(false);
    expect(await storedToken(page)).toBeNull();
    await page.close();
  });

  it('says a failing request’s message once, and asks to sign in again when the key stops working', async () => {
    const page = await openPanel(1280, 800);
    const refusal = (code: string) => ({ message: 'Your API key’s role may not read other users.', extensions: { code } });
    await page.route('**/graphql', (route) => route.fulfill({ json: { data: null, errors: Array.from({ length: 240 }, () => refusal('BOOM')) } }));
    await page.getByLabel('User id').fill('user-0003');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Could not load user-0003: Your API key’s role may not read other users.');

    await page.route('**/graphql', (route) => route.fulfill({ json: { errors: [refusal('UNAUTHENTICATED')] } }));
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#sign-in-why').textContent()).toContain('Sign in with an admin API key or token.');
    await page.close();
  });

  it('loads a user, explains a recommendation as a graph with the API’s weights, and re-ranks “what if”', async () => {
    const page = await openPanel(1280, 800);
    const userId = 'user-0001';
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('How many').selectOption('10');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.locator('#recommendations tr').count()).toBe(10);

    const expected = (await server.graphql(EXPECTED, { userId }, asAdmin)).data;
    expect(await shownRanking(page)).toEqual(apiRanking(expected.recommendations));

    // The first recommendation is picked at first: its similar items are listed.
    const first = expected.recommendations[0];
    await expect.poll(() => page.locator('#similar-summary').textContent()).toContain(`Items like “${first.item.title}” for ${userId}`);

    // Open the explanation of the second recommendation: one request lists the items like it.
    const chosen = expected.recommendations[1];
    const sent = operations(page);
    await page.getByRole('button', { name: chosen.item.title, exact: true }).click();
    await expect.poll(() => page.locator('#summary strong').textContent()).toBe(`#2 ${chosen.item.title}`);
    const similar = (await server.graphql(EXPECTED_SIMILAR, { itemId: chosen.item.id, userId }, asAdmin)).data.similarItems;
    expect(similar.length).toBeGreaterThan(0);
    await expect.poll(() => shownSimilar(page)).toEqual(apiSimilar(similar));
    expect(sent).toEqual(['PanelSimilar']);
    for (const s of similar) expect(s.explanation.kind).toBe('SIMILAR_ITEMS');
    const sentence = `People who chose “${chosen.item.title}” also chose “`;
    expect((await shownSimilar(page))[0]!.summary.slice(0, sentence.length)).toBe(sentence);
    expect(await page.locator('#similar-summary').textContent()).toContain(`Items like “${chosen.item.title}” for ${userId}`);
    // Outside an experiment no variant is named.
    expect(await page.locator('#recommendations-variant').isVisible()).toBe(false);
    expect(await page.locator('#similar-variant').isVisible()).toBe(false);

    const contributions: any[] = chosen.explanation.contributions;
    const expectedNodes = new Set([
      `item:${chosen.item.id}`,
      `user:${userId}`,
      ...contributions.map((c) => `item:${c.item.id}`),
      ...contributions.flatMap((c) => c.evidence.map((e: any) => `user:${e.user.id}`)),
    ]);
    const drawn = (await page.evaluate('window.recographPanel.graph()')) as DrawnGraph;
    expect(new Set(drawn.nodes)).toEqual(expectedNodes);
    const evidenceCount = contributions.reduce((n, c) => n + c.evidence.length, 0);
    expect(drawn.edges).toHaveLength(1 + contributions.length + evidenceCount);

    // The weights table shows every edge's weight and share exactly as the API returned them.
    const shownWeights = await page
      .locator('#weights tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('[data-weight]')].map((cell) => Number(cell.getAttribute('data-weight')))));
    const apiWeights = contributions.flatMap((c) => [[c.weight, c.share], ...c.evidence.map((e: any) => [e.weight, e.share])]);
    expect(shownWeights).toEqual(apiWeights);
    const firstWeightText = await page.locator('#weights tbody tr').first().locator('td.weight').first().textContent();
    expect(firstWeightText).toBe(contributions[0].weight.toFixed(4));
    expect(await page.locator('.heads-table').count()).toBe(2);
    // One name for where a neighbour sits, in the table, the head breakdown and the caption.
    expect(await page.locator('#weights tbody tr').first().locator('td.hop').textContent()).toBe('1 (layer 2)');
    expect(await page.locator('.heads-table caption').allTextContents()).toEqual([
      'Hop 1 (layer 2): the user attends over their own items',
      'Hop 2 (layer 1): each item attends over other users (path weight)',
    ]);
    expect(await page.locator('figcaption').textContent()).toMatch(/\(hop 1, layer 2\)[^]*\(hop 2, layer 1\)/);

    // Labels at a readable size on screen; the strongest and weakest attention edges look apart.
    expect(drawn.labelPixels).toBeGreaterThanOrEqual(12);
    const layer2Widths = drawn.edges.filter((e) => e.id.endsWith(`->user:${userId}`)).map((e) => e.width);
    expect(Math.max(...layer2Widths)).toBeGreaterThanOrEqual(4 * Math.min(...layer2Widths));

    // Hovering an attention edge shows its weight.
    await page.evaluate('window.scrollTo(0, 0)');
    const box = (await page.locator('#graph').boundingBox())!;
    const edge = drawn.edges.find((e) => e.id === `item:${contributions[0].item.id}->user:${userId}`)!;
    await page.mouse.move(box.x + edge.midpoint.x, box.y + edge.midpoint.y);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toContain(
      `Hop 1 (layer 2): ${userId} attends to their item “${contributions[0].item.title}”. Attention ${contributions[0].weight.toFixed(4)}`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-1280x800.png') });
    await page.mouse.move(0, 0);

    // What if the user had never had their most recent interaction?
    const hidden = expected.user.interactions[0].item;
    await page.getByLabel(`Hide “${hidden.title}”`).first().check();
    await expect.poll(() => page.locator('#what-if-summary').isVisible()).toBe(true);
    const whatIf = (await server.graphql(EXPECTED, { userId, ignore: [hidden.id] }, asAdmin)).data;
    await expect.poll(() => shownRanking(page)).toEqual(apiRanking(whatIf.recommendations));
    expect(apiRanking(whatIf.recommendations)).not.toEqual(apiRanking(expected.recommendations));
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-what-if-1280x800.png') });

    await page.getByRole('button', { name: 'Show all interactions again' }).click();
    await expect.poll(() => shownRanking(page)).toEqual(apiRanking(expected.recommendations));
    await page.close();
  });

  it('names the experiment variant, and shows a kind it does not draw as its sentence with the rules applied', async () => {
    const { page, failures } = await newPanelPage(1280, 800);
    await signIn(page, ADMIN);
    await expect.poll(() => page.locator('#known-users option').count()).toBeGreaterThan(0);
    // Answers as an API in an experiment, newer than the panel, would give them.
    await page.route('**/graphql', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      for (const r of json.data?.recommendations ?? []) r.variant = 'treatment';
      const top = json.data?.recommendations?.[0];
      if (top) {
        top.explanation.kind = 'SOMETHING_NEWER';
        top.explanation.rules = [{ kind: 'PIN', name: 'launch', factor: null, position: 1 }];
      }
      for (const s of json.data?.similarItems ?? []) s.variant = 'treatment';
      await route.fulfill({ response, json });
    });
    await page.getByLabel('User id').fill('user-0001');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.locator('#recommendations tr').count()).toBe(10);
    expect(await page.locator('#recommendations-variant').textContent()).toBe('Variant treatment');
    expect(await page.locator('#summary').textContent()).toContain('This panel does not know the explanation kind SOMETHING_NEWER');
    expect(await page.locator('#rules li').allTextContents()).toEqual(['Pinned by “launch” at position 1']);
    expect(await page.locator('#attention').isVisible()).toBe(false);
    await expect.poll(() => page.locator('#similar-items tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#similar-variant').textContent()).toBe('Variant treatment');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-unknown-kind-1280x800.png') });

    // The second recommendation is of a kind the panel draws: the graph is back, the rules gone.
    await page.locator('#recommendations tr').nth(1).locator('button').click();
    await expect.poll(() => page.locator('#attention').isVisible()).toBe(true);
    expect(await page.locator('#rules').isVisible()).toBe(false);
    expect(((await page.evaluate('window.recographPanel.graph()')) as DrawnGraph).nodes.length).toBeGreaterThan(2);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('works from the keyboard on a narrow screen, with every control labelled, and shows the fallback', async () => {
    const page = await openPanel(390, 844);
    await page.reload(); // from the top of the page, still signed in
    await expect.poll(() => page.locator('#known-users option').count()).toBeGreaterThan(0);
    await page.keyboard.press('Tab'); // the skip link
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Sign out');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('user-id');
    await page.keyboard.type('user-0002');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#recommendations tr').count()).toBe(10);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-390x844.png') });

    // Tab to the third recommendation and open it with Enter.
    const third = page.locator('#recommendations tr').nth(2).locator('button');
    await third.focus();
    await page.keyboard.press('Enter');
    expect(await third.getAttribute('aria-pressed')).toBe('true');
    expect(await focusedId(page)).toBe('explanation');
    // Scrolled to the start of the explanation, not to the middle of its tables.
    const explanationTop = (await page.locator('#explanation').boundingBox())!.y;
    expect(explanationTop).toBeGreaterThanOrEqual(0);
    expect(explanationTop).toBeLessThan(24);
    expect(((await page.evaluate('window.recographPanel.graph()')) as DrawnGraph).labelPixels).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-panel-390x844-picked.png') });

    const unlabelled = await page
      .locator('input, select')
      .evaluateAll((controls) => controls.filter((c) => !c.ownerDocument.querySelector(`label[for="${c.id}"]`)).map((c) => c.outerHTML));
    expect(unlabelled).toEqual([]);
    // The similar items of the picked one fit the narrow screen too.
    await expect.poll(() => page.locator('#similar-items tr').count()).toBeGreaterThan(0);
    const overflow = await page.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('#explanation').screenshot({ path: join(SCREENSHOTS, 'admin-panel-390x844-explanation.png') });
    await page.locator('#similar').screenshot({ path: join(SCREENSHOTS, 'admin-panel-390x844-similar.png') });

    // A user the model cannot rank gets the flagged popularity fallback, with nothing to draw but the pair.
    await page.getByLabel('User id').fill('nobody-at-all');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.locator('#summary').textContent()).toContain('Popularity fallback');
    const drawn = (await page.evaluate('window.recographPanel.graph()')) as DrawnGraph;
    expect(drawn.nodes).toHaveLength(2);
    expect(await page.locator('#interactions').textContent()).toBe('No interactions.');
    // Its scores are counts of users, not four-place model scores.
    const fallbackScores = await page.locator('#recommendations [data-score]').allTextContents();
    expect(fallbackScores.length).toBeGreaterThan(0);
    for (const score of fallbackScores) expect(score).toMatch(/^\d+ users?$/);
    await page.close();
  });
});
