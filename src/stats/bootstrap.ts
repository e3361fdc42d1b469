import { seededRandom } from './random.js';
import { type Replicate, ratioOf, weightedMean } from './replicates.js';

export interface RatioInterval {
  /** Statistic of `b` over statistic of `a`. */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/**
 * Percentile bootstrap interval of a statistic; `draw` computes it once on a resample, using the
 * seeded generator it is given (so the same data always gives the same interval).
 */
export function bootstrapInterval(
  draw: (random: () => number) => number,
  options: BootstrapOptions = {},
): { low: number; high: number; confidence: number } {
  const confidence = options.confidence ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const draws: number[] = [];
  for (let i = 0; i < (options.resamples ?? 2000); i++) {
    const r = draw(random);
    if (Number.isFinite(r)) draws.push(r);
  }
  draws.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return { low: quantile(draws, tail), high: quantile(draws, 1 - tail), confidence };
}

/** Resamples with replacement: as many draws as there are items. */
export function resample<T>(xs: readonly T[], random: () => number): T[] {
  return xs.map(() => xs[Math.floor(random() * xs.length)]!);
}

/**
 * Interval of weightedMean(b) / weightedMean(a) when the two runs are independent: each side's
 * replicates are resampled on their own.
 */
export function bootstrapRatio(a: readonly Replicate[], b: readonly Replicate[], options: BootstrapOptions = {}): RatioInterval {
  const ratio = ratioOf(weightedMean(b), weightedMean(a));
  return {
    ratio,
    ...bootstrapInterval((random) => ratioOf(weightedMean(resample(b, random)), weightedMean(resample(a, random))), options),
  };
}

/** Linear interpolation between order statistics of a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
