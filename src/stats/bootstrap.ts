import { seededRandom } from './random.js';
import { type Replicate, weightedMean } from './replicates.js';

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
 * Percentile bootstrap interval of weightedMean(b) / weightedMean(a): each side's replicates are
 * resampled with replacement on their own (the two runs are independent).
 */
export function bootstrapRatio(a: readonly Replicate[], b: readonly Replicate[], options: BootstrapOptions = {}): RatioInterval {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const ratio = weightedMean(b) / weightedMean(a);
  const draws: number[] = [];
  const resample = (xs: readonly Replicate[]): Replicate[] => xs.map(() => xs[Math.floor(random() * xs.length)]!);
  for (let i = 0; i < resamples; i++) {
    const r = weightedMean(resample(b)) / weightedMean(resample(a));
    if (Number.isFinite(r)) draws.push(r);
  }
  draws.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return { ratio, low: quantile(draws, tail), high: quantile(draws, 1 - tail), confidence };
}

/** Linear interpolation between order statistics of a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
