import { describe, expect, it } from 'vitest';
import { generateDemoDataset } from '../../src/graph/index.js';

describe('demo dataset', () => {
  const dataset = generateDemoDataset();

  it('is deterministic', () => {
    const again = generateDemoDataset();
    expect(again.items).toEqual(dataset.items);
    expect(again.interactions.slice(0, 500)).toEqual(dataset.interactions.slice(0, 500));
    expect(again.interactions.length).toBe(dataset.interactions.length);
  });

  it('has a few thousand users and items and on the order of 100k interactions', () => {
    const users = new Set(dataset.interactions.map((i) => i.userId));
    expect(users.size).toBe(3000);
    expect(dataset.items.length).toBeGreaterThanOrEqual(1500);
    expect(dataset.interactions.length).toBeGreaterThan(80_000);
    expect(dataset.interactions.length).toBeLessThan(130_000);
  });

  it('has readable, unique titles and categories', () => {
    expect(new Set(dataset.items.map((i) => i.id)).size).toBe(dataset.items.length);
    expect(new Set(dataset.items.map((i) => `${i.category}/${i.title}`)).size).toBe(dataset.items.length);
    for (const item of dataset.items) expect(item.title).toMatch(/^[A-Z][\w'-]+( [\wé'-]+)+$/);
    expect(new Set(dataset.items.map((i) => i.category)).size).toBe(12);
  });

  it('has taste structure: most users concentrate on one category', () => {
    const categoryOf = new Map(dataset.items.map((i) => [i.id, i.category]));
    const perUser = new Map<string, Map<string | null, number>>();
    for (const i of dataset.interactions) {
      const counts = perUser.get(i.userId) ?? new Map();
      const category = categoryOf.get(i.itemId)!;
      counts.set(category, (counts.get(category) ?? 0) + 1);
      perUser.set(i.userId, counts);
    }
    const topShares = [...perUser.values()].map((counts) => {
      const values = [...counts.values()];
      return Math.max(...values) / values.reduce((a, b) => a + b, 0);
    });
    const mean = topShares.reduce((a, b) => a + b, 0) / topShares.length;
    // Twelve categories would give about 1/12 each without structure.
    expect(mean).toBeGreaterThan(0.5);
  });
});
