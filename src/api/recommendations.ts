import { type Comparison, METRICS, times } from '../report/comparison.js';
import type { BenchmarkResult, LoadTestResult } from './results.js';
import { msFigure } from '../views/table.js';

/** Connection setup this many times a query's cost (or more) makes pooling worth recommending. */
const SETUP_OVER_QUERY = 2;

/**
 * Recommendations, each citing the figures behind it. A latency or throughput recommendation
 * comes only from a significant difference; the others from a measured cost or limit.
 */
export function recommend(
  comparisons: readonly Comparison[],
  benchmarks: readonly BenchmarkResult[],
  loads: readonly LoadTestResult[],
): string[] {
  return [...fromComparisons(comparisons), ...fromConnectionCosts(benchmarks), ...fromCapacity(loads), ...fromErrors(benchmarks, loads)];
}

function fromComparisons(comparisons: readonly Comparison[]): string[] {
  const out: string[] = [];
  for (const c of comparisons) {
    const { label, unit, lowerIsBetter } = METRICS[c.metric];
    const where = `${c.test}${c.users === undefined ? '' : ` at ${c.users} users`}`;
    const value = (name: string): string => fmt(c.providers.find((p) => p.name === name)!.value, unit);
    for (const d of c.differences) {
      if (!d.significant || d.low === null || d.high === null) continue;
      const ci = `95 % CI ${times(d.low)}–${times(d.high)}×`;
      const how = lowerIsBetter ? `has ${times(d.ratio)}× lower ${label} than` : `sustains ${times(d.ratio)}× the ${label} of`;
      out.push(`${d.baseline} ${how} ${d.provider} in ${where} (${value(d.baseline)} vs ${value(d.provider)}, ${ci})`);
    }
  }
  return out;
}

function fromConnectionCosts(benchmarks: readonly BenchmarkResult[]): string[] {
  return benchmarks.flatMap((r) => {
    const connect = r.parts?.connect;
    const query = r.parts?.query;
    if (!connect || !query || connect.avgMs < SETUP_OVER_QUERY * query.avgMs) return [];
    return [
      `connection setup costs ${fmt(connect.avgMs, 'ms')} on ${r.providerName} vs ${fmt(query.avgMs, 'ms')} for the query itself ` +
        `(${r.testName} test, ${r.iterations} connections): pool connections`,
    ];
  });
}

/** The first step of a test that left the objective its run judged capacity by (report/capacity.ts). */
function fromCapacity(loads: readonly LoadTestResult[]): string[] {
  const out: string[] = [];
  const reported = new Set<string>();
  for (const r of loads) {
    const key = `${r.providerName}\u0000${r.testName}`;
    if (r.withinSlo !== false || r.sloP95Ms === undefined || reported.has(key)) continue;
    reported.add(key);
    out.push(
      `${r.providerName} leaves the objective at ${r.concurrentUsers} users in ${r.testName} ${r.phase} ` +
        `(p95 ${fmt(r.p95Ms, 'ms')}, errors ${percent(r.errorRatePercent / 100)}; objective: p95 under ${fmt(r.sloP95Ms, 'ms')}, errors under 1 %): ` +
        `capacity ≈ ${r.concurrentUserCapacity} users`,
    );
  }
  return out;
}

function fromErrors(benchmarks: readonly BenchmarkResult[], loads: readonly LoadTestResult[]): string[] {
  const failing = [
    ...benchmarks.map((r) => ({ r, where: r.testName, failed: r.errorCount, total: r.iterations })),
    ...loads.map((r) => ({ r, where: `${r.testName} ${r.phase}`, failed: r.failedRequests, total: r.totalRequests })),
  ].filter((x) => x.total > 0 && x.failed / x.total >= 0.01);
  return failing.map(({ r, where, failed, total }) => {
    const top = r.errorMessages[0];
    return `${r.providerName} failed ${failed} of ${total} operations in ${where} (${percent(failed / total)})${top ? `, mostly ${top.class}: ${top.message}` : ''}: fix these before comparing speed`;
  });
}

function fmt(x: number, unit: string): string {
  if (unit === 'ms') return `${x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : msFigure(x)} ms`;
  return `${Math.round(x).toLocaleString('en-US')} ${unit}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
}
