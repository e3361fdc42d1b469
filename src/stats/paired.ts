import { bootstrapInterval, resample } from './bootstrap.js';
import { seededRandom } from './random.js';
import { type Replicate, ratioOf, weightedMean } from './replicates.js';
import { insufficient, isSignificant, type Verdict, type VerdictOptions } from './verdict.js';

/** The same block of an interleaved run, measured on the baseline and on the candidate. */
export interface Pair {
  baseline: Replicate;
  candidate: Replicate;
}

/**
 * Exact two-sided Wilcoxon signed-rank test of the pairs' differences (sign flips enumerated, or
 * drawn when there are many pairs). Pairing cancels what both blocks of a round shared: the
 * machine's drift.
 */
export function signedRankP(differences: readonly number[], seed = 1): number {
  const d = differences.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return 1;
  const order = d.map((x, i) => ({ a: Math.abs(x), i })).sort((x, y) => x.a - y.a);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && order[j + 1]!.a === order[i]!.a) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!.i] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const observed = Math.abs(d.reduce((s, x, i) => s + Math.sign(x) * ranks[i]!, 0));
  const flips = (sign: (i: number) => number): boolean => Math.abs(ranks.reduce((s, r, i) => s + sign(i) * r, 0)) >= observed - 1e-9;
  if (n <= 16) {
    let extreme = 0;
    for (let mask = 0; mask < 1 << n; mask++) if (flips((i) => ((mask >> i) & 1 ? -1 : 1))) extreme++;
    return extreme / (1 << n);
  }
  const random = seededRandom(seed);
  const draws = 20_000;
  let extreme = 0;
  for (let k = 0; k < draws; k++) if (flips(() => (random() < 0.5 ? -1 : 1))) extreme++;
  return (extreme + 1) / (draws + 1);
}

/** Paired verdict: the ratio's interval resamples whole pairs; the p-value is the signed-rank test's. */
export function comparePairs(pairs: readonly Pair[], options: VerdictOptions = {}): Verdict {
  // Values may be 0 (latencies of a report that recorded whole µs), so pairs are compared by difference.
  const usable = pairs.filter(
    (p) => p.baseline.weight > 0 && p.candidate.weight > 0 && Number.isFinite(p.baseline.value) && Number.isFinite(p.candidate.value),
  );
  const pairRatio = (ps: readonly Pair[]): number =>
    ratioOf(weightedMean(ps.map((p) => p.candidate)), weightedMean(ps.map((p) => p.baseline)));
  const ratio = pairRatio(usable);
  const replicates = { baseline: usable.length, candidate: usable.length };
  if (usable.length < (options.minReplicates ?? 3)) return insufficient(ratio, replicates, options);
  const interval = bootstrapInterval((random) => pairRatio(resample(usable, random)), options);
  const p = signedRankP(
    usable.map((x) => x.candidate.value - x.baseline.value),
    options.seed,
  );
  return { ratio, ...interval, p, replicates, significant: isSignificant(ratio, interval, p, options) };
}
