/**
 * One independent measurement of a metric: a window or a block of a run. Differences are judged
 * over replicates, never over single operations, whose latencies are not independent of each other
 * (they share the machine's drift), so a test over them would call noise significant.
 */
export interface Replicate {
  /** Operations behind the value: its weight. */
  weight: number;
  value: number;
}

/** The weighted mean of the replicates' values: the statistic whose ratio is compared. */
export function weightedMean(replicates: readonly Replicate[]): number {
  let w = 0;
  let sum = 0;
  for (const r of replicates) {
    w += r.weight;
    sum += r.weight * r.value;
  }
  return w > 0 ? sum / w : NaN;
}

/**
 * Drops replicates with too few operations to say anything (the cut-off tail of a run or block):
 * under a quarter of the median weight.
 */
export function usableReplicates(replicates: readonly Replicate[]): Replicate[] {
  const weighted = replicates.filter((r) => r.weight > 0 && Number.isFinite(r.value));
  if (weighted.length === 0) return [];
  const sorted = weighted.map((r) => r.weight).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  return weighted.filter((r) => r.weight >= median / 4);
}

/**
 * candidate / baseline. Equal values are a ratio of 1 even at 0 (a latency recorded at 0 µs on
 * both sides is below the resolution on both, not 0/0).
 */
export function ratioOf(candidate: number, baseline: number): number {
  return candidate === baseline ? 1 : candidate / baseline;
}
