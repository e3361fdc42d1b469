import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../errors.js';
import { compareReplicates } from '../stats/verdict.js';
import { type Replicate, usableReplicates, weightedMean } from '../stats/replicates.js';
import { pValue, times } from './comparison.js';
import type { ProviderReport, Report } from './types.js';

/** One provider × operation of two runs side by side: p95 latency (ms), the new run over the base. */
export interface RunCompareRow {
  provider: string;
  operation: string;
  /** Per-window p95s weighted by their operations, in ms: the statistic the ratio is taken on. */
  base: number;
  candidate: number;
  /** candidate / base (> 1: the new run is slower). */
  ratio: number;
  /** Bootstrap interval of the ratio; null with too few windows on a side. */
  low: number | null;
  high: number | null;
  confidence: number;
  /** Rank-test p-value over the two runs' per-window values. */
  p: number;
  windows: { base: number; candidate: number };
  significant: boolean;
  /** Significant and slower by more than the margin. */
  regression: boolean;
  verdict: string;
}

/** Which run a side is; its status, since a partial or degraded run's windows are fewer or low. */
export interface RunHead {
  runId: string;
  name: string;
  startedAt: string;
  status: Report['status'];
}

export interface RunCompare {
  base: RunHead;
  candidate: RunHead;
  /** A regression is called only beyond this (a fraction: 0.1 is 10 %). */
  margin: number;
  rows: RunCompareRow[];
  /** Provider × operation pairs that only one of the runs has. */
  unmatched: string[];
}

/** Below this margin a slowdown is within the noise of a shared machine; the verdict's own noise band. */
export const DEFAULT_MARGIN = 0.05;

/**
 * Two saved runs, provider by provider and operation by operation: the per-window p95s of each
 * run are the replicates (independent runs: drift between them is not cancelled), the rank test
 * and the bootstrap interval of the ratio say whether the difference is real, and a regression is
 * called only when it is significant and the new run is slower by more than `margin`.
 */
export function compareRuns(base: Report, candidate: Report, options: { margin?: number; force?: boolean } = {}): RunCompare {
  const margin = options.margin ?? DEFAULT_MARGIN;
  if (!options.force) {
    const why = scenarioDifference(base, candidate);
    if (why) throw new UserError(`the two reports are of different scenarios (${why}); add --force to compare them anyway`);
  }
  const rows: RunCompareRow[] = [];
  const unmatched: string[] = [];
  for (const b of base.providers) {
    const c = candidate.providers.find((p) => p.name === b.name);
    for (const { operation } of b.operations) {
      if (!c?.operations.some((o) => o.operation === operation)) unmatched.push(`${b.name}/${operation}`);
      else rows.push(compareOperation(b, c, operation, margin));
    }
  }
  for (const c of candidate.providers) {
    const b = base.providers.find((p) => p.name === c.name);
    for (const { operation } of c.operations) {
      if (!b?.operations.some((o) => o.operation === operation)) unmatched.push(`${c.name}/${operation}`);
    }
  }
  const head = (r: Report): RunHead => ({ runId: r.runId, name: r.name, startedAt: r.startedAt, status: r.status });
  return { base: head(base), candidate: head(candidate), margin, rows, unmatched };
}

/** Why two reports are not runs of one scenario: its name, its providers or its workload differ. */
function scenarioDifference(a: Report, b: Report): string | undefined {
  if (a.name !== b.name) return `name "${a.name}" vs "${b.name}"`;
  const names = (r: Report): string[] => r.providers.map((p) => p.name).sort();
  if (!isDeepStrictEqual(names(a), names(b))) return `providers ${names(a).join(',')} vs ${names(b).join(',')}`;
  const workload = (r: Report): unknown => (r.scenario.definition as { workload?: unknown } | null)?.workload;
  if (!isDeepStrictEqual(workload(a), workload(b))) return 'workloads differ';
  return undefined;
}

function compareOperation(base: ProviderReport, candidate: ProviderReport, operation: string, margin: number): RunCompareRow {
  const a = windowP95s(base, operation);
  const b = windowP95s(candidate, operation);
  const v = compareReplicates(a, b);
  const interval = Number.isFinite(v.low) && Number.isFinite(v.high);
  const regression = v.significant && v.ratio > 1 + margin;
  const ci = interval ? `95 % CI ${times(v.low)}–${times(v.high)}×` : 'too few windows for an interval';
  const text = regression
    ? `regression: ${times(v.ratio)}× slower (${ci}, p=${pValue(v.p)})`
    : v.significant
      ? `${v.ratio > 1 ? `${times(v.ratio)}× slower, within the ${percent(margin)} margin` : `${times(1 / v.ratio)}× faster`} (${ci}, p=${pValue(v.p)})`
      : `~ no significant difference (${times(v.ratio)}×, ${ci}, p=${pValue(v.p)})`;
  return {
    provider: base.name,
    operation,
    // The windows the ratio is taken over: the cut-off tail of a run is left out of both.
    base: weightedMean(usableReplicates(a)),
    candidate: weightedMean(usableReplicates(b)),
    ratio: v.ratio,
    low: interval ? v.low : null,
    high: interval ? v.high : null,
    confidence: v.confidence,
    p: v.p,
    windows: { base: v.replicates.baseline, candidate: v.replicates.candidate },
    significant: v.significant,
    regression,
    verdict: text,
  };
}

/** One replicate per window: the operation's p95 in ms, weighted by its ok count. */
function windowP95s(p: ProviderReport, operation: string): Replicate[] {
  return p.windows.flatMap((w) => {
    const op = w.operations?.find((o) => o.operation === operation);
    return op ? [{ weight: op.ok, value: op.latencyUs.p95 / 1000 }] : [];
  });
}

export function percent(fraction: number): string {
  return `${+(fraction * 100).toPrecision(4)} %`;
}
