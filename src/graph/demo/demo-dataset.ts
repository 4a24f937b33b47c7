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

/**
 * The styles every category's items come in. An item's style is fixed by its title's adjective
 * (every third adjective of the category's word bank shares one) and written into its description,
 * so the text says what the taste structure does: a reader, or a text encoder, can tell a bold
 * item from a gentle one. Users lean towards one style across categories.
 */
const STYLES = [
  { name: 'classic', phrases: ['A timeless classic', 'Traditional and refined', 'An old favourite, done the classic way'] },
  { name: 'bold', phrases: ['Bold and experimental', 'Loud, bright and daring', 'An adventurous modern twist'] },
  { name: 'gentle', phrases: ['Gentle and calm', 'Soft, quiet and cosy', 'A soothing, intimate pick'] },
] as const;
const STYLES_PER_CATEGORY = STYLES.length;
/** How often a user's style in a category is their overall style rather than one of its own. */
const STYLE_CONSISTENCY = 0.6;
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
 * A deterministic catalogue and interaction log with taste structure the text shows: each category
 * splits into styles (`STYLES`, named by the title's adjective and the description), popularity is
 * long-tailed within a category and style, and each user mostly consumes one or two favourite
 * categories and a preferred style in each, usually the same style everywhere. A user who mostly
 * buys gentle jazz therefore should be recommended mostly jazz, much of it gentle, which makes the
 * demo's recommendations checkable by eye, and a new item's text says who it is for.
 */
export function generateDemoDataset(options: DemoDatasetOptions = DEFAULT_DEMO_OPTIONS): DemoDataset {
  const random = new SeededRandom(options.seed);
  const categories = CATALOGUE_WORDS.map((w) => w.category);
  const items: NewItem[] = [];
  // Per category and style: the item indices and their popularity-weighted cumulative draw table.
  const pools: { itemIndices: number[]; cumulative: number[] }[][] = [];

  CATALOGUE_WORDS.forEach((words, c) => {
    const titles = random.shuffle(
      words.adjectives.flatMap((adjective, a) => words.nouns.map((noun) => ({ title: `${adjective} ${noun}`, style: a % STYLES_PER_CATEGORY }))),
    );
    const styles = Array.from({ length: STYLES_PER_CATEGORY }, () => ({ itemIndices: [] as number[], weights: [] as number[] }));
    for (let rank = 0; rank < options.itemsPerCategory; rank++) {
      const drawn = titles[rank];
      if (drawn === undefined) throw new Error(`Category ${words.category} has too few titles`);
      const style = styles[drawn.style]!;
      style.itemIndices.push(items.length);
      style.weights.push(1 / (style.weights.length + 3) ** 0.9);
      const { phrases } = STYLES[drawn.style]!;
      const phrase = phrases[random.int(phrases.length)]!;
      items.push({
        id: `item-${pad(items.length + 1)}`,
        title: drawn.title,
        category: words.category,
        description: `${phrase}, in ${words.category.toLowerCase()}.`,
      });
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
      // A small catalogue may have no item of some style in a category: the next style that has one.
      const styles = pools[c]!;
      const pool = styles.map((_, k) => styles[(style + k) % STYLES_PER_CATEGORY]!).find((p) => p.itemIndices.length > 0)!;
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
  const overall = random.int(STYLES_PER_CATEGORY);
  return {
    categoryCumulative: cumulativeOf(weights),
    preferredStyle: Array.from({ length: categoryCount }, () => (random.next() < STYLE_CONSISTENCY ? overall : random.int(STYLES_PER_CATEGORY))),
  };
}
