/**
 * The smallest p-value a test can give with so few replicates, however large the difference:
 * with 4 windows a side, the rank test cannot go below 2 / C(8, 4) = 0.029, so a run that short
 * can never be called at p < 0.01. Knowing this lets a report say "run longer", not "no difference".
 */

/** Two-sided Mann–Whitney with samples of m and n: every value of one side above every value of the other. */
export function smallestRankP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  let arrangements = 1;
  for (let i = 1; i <= Math.min(m, n); i++) arrangements = (arrangements * (m + n - i + 1)) / i;
  return Math.min(1, 2 / arrangements);
}

/** Two-sided exact signed-rank test with n pairs: every difference of one sign. */
export function smallestSignedRankP(n: number): number {
  return n === 0 ? 1 : Math.min(1, 2 / 2 ** n);
}

/** The fewest replicates a side (windows, or interleaved blocks) that can give p < alpha. */
export function replicatesNeeded(design: 'paired' | 'independent', alpha: number): number {
  let n = 1;
  while ((design === 'paired' ? smallestSignedRankP(n) : smallestRankP(n, n)) >= alpha) n++;
  return n;
}
