import { describe, expect, it } from 'vitest';
import { variantIndex } from '../../src/experiments/index.js';

describe('variant assignment', () => {
  const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

  it('is sticky: the same user always gets the same variant', () => {
    for (const user of users.slice(0, 100)) expect(variantIndex('exp', [0.5, 0.5], user)).toBe(variantIndex('exp', [0.5, 0.5], user));
  });

  it('splits users by the shares', () => {
    const counts = [0, 0, 0];
    for (const user of users) counts[variantIndex('exp', [0.2, 0.3, 0.5], user)]!++;
    // Within 5 standard deviations of the binomial expectations.
    [0.2, 0.3, 0.5].forEach((share, i) => expect(Math.abs(counts[i]! - share * users.length)).toBeLessThan(5 * Math.sqrt(users.length * share * (1 - share))));
  });

  it('reshuffles users for another experiment name', () => {
    const same = users.filter((u) => variantIndex('exp', [0.5, 0.5], u) === variantIndex('exp-2', [0.5, 0.5], u)).length;
    expect(Math.abs(same - users.length / 2)).toBeLessThan(5 * Math.sqrt(users.length / 4));
  });
});
