import type { InteractionType, NewInteraction, NewItem } from '../store.js';
import { DEFAULT_INTERACTION_WEIGHTS } from '../interaction-weights.js';
import { CATALOGUE_WORDS } from './catalogue-words.js';
import { cumulativeOf, SeededRandom } from './random.js';

export interface DemoDatasetOptions {
  readonly users: number;
  readonly itemsPerCategory: number;
  readonly seed: number;
}

export interface DemoDataset {
  readonly items: readonly NewItem[];
  readonly interactions: readonly NewInteraction[];
}

export const DEFAULT_DEMO_OPTIONS: DemoDatasetOptions = { users: 3000, itemsPerCategory: 160, seed: 20261122 };

const STYLES_PER_CATEGORY = 3;
const START = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;
const TYPE_MIX: readonly [InteractionType, number][] = [
  ['VIEW', 0.55],
  ['LIKE', 0.2],
  ['ADD_TO_CART', 0.1],
  ['PURCHASE', 0.15],
];

const pad = (n: number) => String(n).padStart(4, '0');
export const demoUserId = (n: number) => `user-${pad(n)}`;

interface Taste {
  readonly categoryCumulative: number[];
  readonly preferredStyle: number[];
}

/**
 * A deterministic catalogue and interaction log with latent taste structure: each category splits
 * into styles, popularity is long-tailed within a category, and each user mostly consumes one or
 * two favourite categories and a preferred style in each. A user who mostly buys jazz therefore
 * should be recommended mostly jazz, which makes the demo's recommendations checkable by eye.
 */
export function generateDemoDataset(options: DemoDatasetOptions = DEFAULT_DEMO_OPTIONS): DemoDataset {
  const random = new SeededRandom(options.seed);
  const categories = CATALOGUE_WORDS.map((w) => w.category);
  const items: NewItem[] = [];
  // Per category and style: the item indices and their popularity-weighted cumulative draw table.
  const pools: { itemIndices: number[]; cumulative: number[] }[][] = [];

  CATALOGUE_WORDS.forEach((words, c) => {
    const titles = random.shuffle(words.adjectives.flatMap((a) => words.nouns.map((n) => `${a} ${n}`)));
    const styles = Array.from({ length: STYLES_PER_CATEGORY }, () => ({ itemIndices: [] as number[], weights: [] as number[] }));
    for (let rank = 0; rank < options.itemsPerCategory; rank++) {
      const title = titles[rank];
      if (title === undefined) throw new Error(`Category ${words.category} has too few titles`);
      const style = styles[rank % STYLES_PER_CATEGORY]!;
      style.itemIndices.push(items.length);
      style.weights.push(1 / (rank + 3) ** 0.9);
      items.push({ id: `item-${pad(items.length + 1)}`, title, category: words.category });
    }
    pools[c] = styles.map((s) => ({ itemIndices: s.itemIndices, cumulative: cumulativeOf(s.weights) }));
  });

  const categoryPopularity = cumulativeOf(categories.map((_, c) => 1 / (c + 2) ** 0.7));
  const typeCumulative = cumulativeOf(TYPE_MIX.map(([, p]) => p));
  const interactions: NewInteraction[] = [];

  for (let u = 1; u <= options.users; u++) {
    const taste = drawTaste(random, categories.length, categoryPopularity);
    const count = Math.min(250, Math.max(3, Math.round(Math.exp(3.2 + 0.7 * random.normal()))));
    let at = START + random.next() * 150 * DAY_MS;
    for (let k = 0; k < count; k++) {
      const c = random.pickCumulative(taste.categoryCumulative);
      const style = random.next() < 0.7 ? taste.preferredStyle[c]! : random.int(STYLES_PER_CATEGORY);
      const pool = pools[c]![style]!;
      const item = items[pool.itemIndices[random.pickCumulative(pool.cumulative)]!]!;
      const type = TYPE_MIX[random.pickCumulative(typeCumulative)]![0];
      at += (1 / 24 + random.next() * 3) * DAY_MS;
      interactions.push({
        userId: demoUserId(u),
        itemId: item.id,
        type,
        weight: DEFAULT_INTERACTION_WEIGHTS[type],
        occurredAt: new Date(Math.round(at)),
      });
    }
  }
  return { items, interactions };
}

function drawTaste(random: SeededRandom, categoryCount: number, categoryPopularity: number[]): Taste {
  const primary = random.pickCumulative(categoryPopularity);
  let secondary = random.pickCumulative(categoryPopularity);
  if (secondary === primary) secondary = (primary + 1 + random.int(categoryCount - 1)) % categoryCount;
  const primaryShare = 0.55 + 0.3 * random.next();
  const secondaryShare = (1 - primaryShare) * 0.7;
  const rest = (1 - primaryShare - secondaryShare) / categoryCount;
  const weights = Array.from({ length: categoryCount }, (_, c) =>
    rest + (c === primary ? primaryShare : 0) + (c === secondary ? secondaryShare : 0),
  );
  return {
    categoryCumulative: cumulativeOf(weights),
    preferredStyle: Array.from({ length: categoryCount }, () => random.int(STYLES_PER_CATEGORY)),
  };
}
