import { type Comparator, type Threshold, type ThresholdMetric, thresholdLabel } from '../config/thresholds.js';
import type { WindowFigures } from '../metrics/aggregate.js';
import type { ThresholdResult } from './threshold-result.js';
import type { ProviderReport, Report } from './types.js';

/** What a threshold is read from: the count of ok and failed operations, their latency, the throughput. */
interface Figures {
  ok: number;
  failed: number;
  opsPerSec: number | undefined;
  latencyUs: Partial<Record<'count' | 'mean' | 'max' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999', number>>;
}

/**
 * Every threshold against every provider it names (a threshold without a provider holds for each
 * one), on the report's figures: those are merged from the histograms and counts of every local
 * worker and every agent, so a threshold sees the whole load, never one runner's share.
 */
export function evaluateThresholds(
  report: Report,
  thresholds: readonly Threshold[],
  /** The plan's providers: one that never ran (a run stopped before it) fails its thresholds rather than skip them. */
  providers: readonly string[] = report.providers.map((p) => p.name),
): ThresholdResult[] {
  return thresholds.flatMap((t) =>
    providers
      .filter((name) => t.scope.provider === undefined || name === t.scope.provider)
      .map((name) => {
        const p = report.providers.find((x) => x.name === name);
        const measured = measure(t.metric, p && scoped(p, t));
        return {
          expression: t.expression,
          scope: { ...t.scope, provider: name },
          metric: t.metric,
          comparator: t.comparator,
          limit: t.limit,
          unit: t.unit,
          measured,
          ok: measured !== null && holds(measured, t.comparator, t.limit),
        };
      }),
  );
}

function scoped(p: ProviderReport, t: Threshold): Figures | undefined {
  if (t.scope.operation !== undefined) return p.operations.find((o) => o.operation === t.scope.operation);
  if (t.scope.phase !== undefined) return p.phases?.find((ph) => ph.phase === t.scope.phase);
  return p.total;
}

/** Null when the scope saw nothing to measure (no operation ran, none succeeded for a latency). */
function measure(metric: ThresholdMetric, f: Figures | undefined): number | null {
  if (!f) return null;
  const count = f.ok + f.failed;
  switch (metric) {
    case 'failed':
      return f.failed;
    case 'error_rate':
      return count > 0 ? f.failed / count : null;
    case 'ops_per_sec':
      return f.opsPerSec ?? null;
    default:
      return f.ok > 0 && (f.latencyUs.count ?? f.ok) > 0 ? (f.latencyUs[metric] ?? null) : null;
  }
}

export function holds(value: number, comparator: Comparator, limit: number): boolean {
  switch (comparator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** A threshold's measured value as people read it: latency in ms, the error rate in per cent. */
export function formatMeasure(value: number | null, unit: ThresholdResult['unit']): string {
  if (value === null) return 'no data';
  if (unit === 'us') return value < 1000 ? `${+value.toPrecision(4)}µs` : `${+(value / 1000).toPrecision(4)}ms`;
  if (unit === 'ratio') return `${+(value * 100).toPrecision(4)}%`;
  if (unit === 'ops/s') return `${+value.toFixed(1)} ops/s`;
  return String(value);
}

/**
 * `abortOnFail` while the run goes on: each complete window, once `delayAbortEval` has passed,
 * is checked on its own figures (latency and rates are a window's; `failed` counts from the start),
 * as the engine merges it from every site. The first break is returned, to stop the run with.
 */
export class ThresholdWatch {
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly thresholds: readonly Threshold[],
    private readonly windowMs: number,
    /** Windows reaching past the planned end hold the leftover tail, not a full window of load. */
    private readonly plannedMs: number | undefined,
  ) {}

  /** The broken threshold's label and value, or undefined. */
  check(provider: string, w: WindowFigures): string | undefined {
    const failedSoFar = (this.failed.get(provider) ?? 0) + w.failed;
    this.failed.set(provider, failedSoFar);
    const endMs = (w.window + 1) * this.windowMs;
    if (this.plannedMs !== undefined && endMs > this.plannedMs) return undefined;
    for (const t of this.thresholds) {
      if (!t.abortOnFail || (t.scope.provider !== undefined && t.scope.provider !== provider)) continue;
      if (t.scope.phase !== undefined && t.scope.phase !== w.phase) continue;
      if (w.window * this.windowMs < t.delayAbortEvalMs) continue;
      const figures = windowScope(w, t, this.windowMs);
      const measured = t.metric === 'failed' ? (figures ? failedSoFar : null) : measure(t.metric, figures);
      if (measured !== null && !holds(measured, t.comparator, t.limit)) {
        return `${thresholdLabel({ ...t, scope: { ...t.scope, provider } })} broke in window ${w.window + 1}: ${formatMeasure(measured, t.unit)}`;
      }
    }
    return undefined;
  }
}

function windowScope(w: WindowFigures, t: Threshold, windowMs: number): Figures | undefined {
  const f = t.scope.operation === undefined ? w : w.operations.find((o) => o.operation === t.scope.operation);
  // A window's operation figures hold mean, p95 and p99 only; other percentiles are not checked live.
  return f ? { ok: f.ok, failed: f.failed, opsPerSec: f.ok / (windowMs / 1000), latencyUs: { ...f.latencyUs, count: f.ok } } : undefined;
}
