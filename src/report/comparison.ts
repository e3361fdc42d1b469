import { z } from 'zod';
import { comparePairs } from '../stats/paired.js';
import { type Replicate, weightedMean } from '../stats/replicates.js';
import { smallestRankP, smallestSignedRankP } from '../stats/reachable.js';
import { compareReplicates, type Verdict, type VerdictOptions } from '../stats/verdict.js';

export const differenceSchema = z.object({
  provider: z.string(),
  /** The best provider by the point estimate, which the ratio is taken against. */
  baseline: z.string(),
  /** How many times worse the provider is than the baseline (≥ 1 means worse). */
  ratio: z.number(),
  /** Bootstrap interval of the ratio; null when there were too few replicates. */
  low: z.number().nullable(),
  high: z.number().nullable(),
  confidence: z.number(),
  /** Rank-test p-value over the replicates. */
  p: z.number(),
  replicates: z.object({ baseline: z.number().int(), candidate: z.number().int() }),
  significant: z.boolean(),
  /**
   * paired: interleaved blocks of one run, compared round by round (drift cancels); independent:
   * windows of separate runs, where drift between the runs is not cancelled.
   */
  design: z.enum(['paired', 'independent']),
  verdict: z.string(),
});
export type Difference = z.infer<typeof differenceSchema>;

export const METRICS = {
  avg: { label: 'avg latency', unit: 'ms', lowerIsBetter: true },
  /** Per-window p95s, weighted by their operations: the statistic the ratio is taken on. */
  p95: { label: 'p95 latency (mean over windows)', unit: 'ms', lowerIsBetter: true },
  rps: { label: 'throughput', unit: 'req/s', lowerIsBetter: false },
} as const;
export type MetricName = keyof typeof METRICS;

export const comparisonSchema = z.object({
  test: z.string(),
  kind: z.enum(['benchmark', 'load']),
  metric: z.enum(['avg', 'p95', 'rps']),
  /** Users of a load test's step; absent for benchmarks. */
  users: z.number().int().optional(),
  providers: z.array(z.object({ name: z.string(), value: z.number() })),
  best: z.string(),
  /** The best provider when it beats every other one significantly; null otherwise. */
  winner: z.string().nullable(),
  differences: z.array(differenceSchema),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export interface ComparisonEntry {
  name: string;
  value: number;
  replicates: Replicate[];
  /** Runs that interleaved their providers share an id; their blocks are then compared in pairs. */
  runId?: string;
  /** Block (round) of each replicate, parallel to `replicates`. */
  blocks?: number[];
}

/** Every provider of one test and metric against the best; undefined for fewer than two providers. */
export function compareProviders(
  head: Pick<Comparison, 'test' | 'kind' | 'metric' | 'users'>,
  entries: readonly ComparisonEntry[],
  options: VerdictOptions = {},
): Comparison | undefined {
  if (entries.length < 2) return undefined;
  const { lowerIsBetter } = METRICS[head.metric];
  // Values, the best and the ratios all come from the replicates, so the numbers cited agree.
  const score = (e: ComparisonEntry): number => {
    const m = weightedMean(e.replicates);
    return Number.isFinite(m) ? m : e.value;
  };
  const best = entries.reduce((b, e) => ((lowerIsBetter ? score(e) < score(b) : score(e) > score(b)) ? e : b));
  const differences = entries
    .filter((e) => e !== best)
    .map((e): Difference => {
      // The ratio always reads "how many times worse than the best".
      const [v, design] = lowerIsBetter ? verdict(best, e, options) : verdict(e, best, options);
      const interval = Number.isFinite(v.low) && Number.isFinite(v.high);
      const d = { provider: e.name, baseline: best.name, ratio: v.ratio, low: interval ? v.low : null, high: interval ? v.high : null };
      const alpha = options.alpha ?? 0.01;
      const { baseline: m, candidate: n } = v.replicates;
      const undecidable = (design === 'paired' ? smallestSignedRankP(m) : smallestRankP(m, n)) >= alpha;
      const unit = design === 'paired' ? 'blocks' : 'windows';
      const text =
        verdictText(head.metric, d, v.significant, v.p) +
        (undecidable ? `; ${Math.min(m, n)} ${unit} cannot reach p < ${alpha}: run more` : '');
      return { ...d, confidence: v.confidence, p: v.p, replicates: v.replicates, significant: v.significant, design, verdict: text };
    });
  const winner = differences.every((d) => d.significant) ? best.name : null;
  return { ...head, providers: entries.map((e) => ({ name: e.name, value: score(e) })), best: best.name, winner, differences };
}

/**
 * Paired when both providers ran interleaved in the same run (block k of each ran in the same
 * round, so drift cancels); independent replicates otherwise.
 */
function verdict(baseline: ComparisonEntry, candidate: ComparisonEntry, options: VerdictOptions): [Verdict, Difference['design']] {
  const a = byBlock(baseline);
  const b = byBlock(candidate);
  if (baseline.runId === undefined || baseline.runId !== candidate.runId || a.size < 2) {
    return [compareReplicates(baseline.replicates, candidate.replicates, options), 'independent'];
  }
  const pairs = [...a].flatMap(([block, r]) => {
    const other = b.get(block);
    return other ? [{ baseline: r, candidate: other }] : [];
  });
  return [comparePairs(pairs, options), 'paired'];
}

/** One replicate per block: its windows' weighted mean. */
function byBlock(e: ComparisonEntry): Map<number, Replicate> {
  const groups = new Map<number, Replicate[]>();
  e.replicates.forEach((r, i) => {
    const block = e.blocks?.[i];
    if (block !== undefined) groups.set(block, [...(groups.get(block) ?? []), r]);
  });
  return new Map([...groups].map(([block, rs]) => [block, { weight: rs.reduce((n, r) => n + r.weight, 0), value: weightedMean(rs) }]));
}

function verdictText(
  metric: MetricName,
  d: Pick<Difference, 'provider' | 'baseline' | 'ratio' | 'low' | 'high'>,
  significant: boolean,
  p: number,
): string {
  const ci = d.low === null || d.high === null ? 'too few replicates for an interval' : `95 % CI ${times(d.low)}–${times(d.high)}×`;
  if (!significant) return `~ no significant difference (${times(d.ratio)}×, ${ci}, p=${pValue(p)})`;
  const worse = METRICS[metric].lowerIsBetter ? `${times(d.ratio)}× slower` : `${times(d.ratio)}× lower throughput`;
  return `${d.provider} is ${worse} than ${d.baseline} (${ci}, p=${pValue(p)})`;
}

export function times(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function pValue(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
