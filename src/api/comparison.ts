import type { VerdictOptions } from '../stats/verdict.js';
import { type Comparison, compareProviders } from '../report/comparison.js';
import type { BenchmarkResult, LoadTestResult } from './results.js';

/**
 * Per test (and step), every provider against the best one. Replicates are the runs' windows (for
 * benchmarks, their interleaved blocks), so a difference is called only when it holds across them.
 */
export function compareResults(
  benchmarks: readonly BenchmarkResult[],
  loads: readonly LoadTestResult[],
  options: VerdictOptions = {},
): Comparison[] {
  const out: Array<Comparison | undefined> = [];
  for (const [test, group] of groupBy(benchmarks, (r) => r.testName)) {
    const entries = group.map((r) => ({
      name: r.providerName,
      value: r.avgMs,
      replicates: r.windows.map((w) => ({ weight: w.ok, value: w.meanMs })),
      runId: r.runId,
      blocks: r.windows.map((w) => w.block),
    }));
    out.push(compareProviders({ test, kind: 'benchmark', metric: 'avg' }, entries, options));
  }
  for (const [test, group] of groupBy(loads, (r) => (r.phase === 'constant' ? r.testName : `${r.testName} ${r.phase}`))) {
    const base = { test, kind: 'load' as const, users: group[0]!.concurrentUsers };
    const p95 = group.map((r) => ({
      name: r.providerName,
      value: r.p95Ms,
      replicates: r.windows.map((w) => ({ weight: w.ok, value: w.p95Ms })),
    }));
    out.push(compareProviders({ ...base, metric: 'p95' }, p95, options));
    const rps = group.map((r) => ({
      name: r.providerName,
      value: r.requestsPerSecond,
      replicates: r.windows.filter((w) => !w.partial).map((w) => ({ weight: 1, value: w.ok / (r.windowMs / 1000) })),
    }));
    out.push(compareProviders({ ...base, metric: 'rps' }, rps, options));
  }
  return out.filter((c): c is Comparison => c !== undefined);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}
