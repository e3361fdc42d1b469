import { bootstrapRatio, type BootstrapOptions } from './bootstrap.js';
import { mannWhitneyP } from './rank-test.js';
import { type Replicate, ratioOf, usableReplicates, weightedMean } from './replicates.js';

export interface VerdictOptions extends BootstrapOptions {
  /**
   * Significance level of the rank test (default 0.01, stricter than benchstat's 0.05: a report
   * compares many tests at once, and each false call becomes a recommendation).
   */
  alpha?: number;
  /**
   * Ratios within 1 ± this are never called a difference, however small the p-value (default
   * 0.05): on a shared machine a few per cent is noise of the setup, not of the database.
   */
  noise?: number;
  /** Fewer replicates than this on either side: no verdict (default 3). */
  minReplicates?: number;
}

export interface Verdict {
  /** Statistic of the candidate over the baseline's, with its bootstrap interval. */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
  /** Two-sided rank-test p-value over the replicates. */
  p: number;
  replicates: { baseline: number; candidate: number };
  /** True only when the p-value, the interval and the size of the ratio all say so. */
  significant: boolean;
}

/** Compares a candidate's replicates with a baseline's (independent runs); the ratio is candidate / baseline. */
export function compareReplicates(baseline: readonly Replicate[], candidate: readonly Replicate[], options: VerdictOptions = {}): Verdict {
  const a = usableReplicates(baseline);
  const b = usableReplicates(candidate);
  const replicates = { baseline: a.length, candidate: b.length };
  if (Math.min(a.length, b.length) < (options.minReplicates ?? 3))
    return insufficient(ratioOf(weightedMean(b), weightedMean(a)), replicates, options);
  const interval = bootstrapRatio(a, b, options);
  const p = mannWhitneyP(
    a.map((r) => r.value),
    b.map((r) => r.value),
  );
  return { ...interval, p, replicates, significant: isSignificant(interval.ratio, interval, p, options) };
}

/**
 * A difference is called only when the rank test, the interval and the size of the ratio all say
 * so: p under alpha, an interval that excludes 1, and a ratio outside the noise band.
 */
export function isSignificant(ratio: number, interval: { low: number; high: number }, p: number, options: VerdictOptions): boolean {
  const noise = options.noise ?? 0.05;
  return p < (options.alpha ?? 0.01) && (interval.low > 1 || interval.high < 1) && (ratio > 1 + noise || ratio < 1 / (1 + noise));
}

/** Too few replicates: the ratio is shown, no interval, no call. */
export function insufficient(ratio: number, replicates: Verdict['replicates'], options: VerdictOptions): Verdict {
  return { ratio, low: NaN, high: NaN, confidence: options.confidence ?? 0.95, p: 1, replicates, significant: false };
}
