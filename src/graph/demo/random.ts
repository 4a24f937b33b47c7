import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

const FLOAT_STEPS = 2 ** 30;

/** A seeded source of the draws the demo generator needs; the same seed gives the same data. */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return unsafeUniformIntDistribution(0, FLOAT_STEPS - 1, this.generator) / FLOAT_STEPS;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return unsafeUniformIntDistribution(0, n - 1, this.generator);
  }

  /** Standard normal, by Box–Muller. */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Index drawn with probability proportional to `cumulative[i] - cumulative[i-1]`. */
  pickCumulative(cumulative: readonly number[]): number {
    const target = this.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    return values;
  }
}

export function cumulativeOf(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((w) => (total += w));
}
