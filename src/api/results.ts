import { z } from 'zod';
import type { ProviderReport } from '../report/types.js';

/**
 * The shapes the library returns and the comparison report saves. The zod schemas are the one
 * source: the TypeScript types are inferred from them, saved reports are validated with them, and
 * the report's JSON Schema is generated from them.
 */

/** One recording window of one provider's run: the replicate unit of the verdicts. */
export const windowSampleSchema = z.object({
  window: z.number().int(),
  /** Interleaved block (round) of the run; the same block of two providers ran back to back. */
  block: z.number().int(),
  ok: z.number().int(),
  errors: z.number().int(),
  meanMs: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  /** The run's last window, cut short: left out of throughput comparisons. */
  partial: z.boolean(),
});
export type WindowSample = z.infer<typeof windowSampleSchema>;

/** Rows the run reported inserting against rows the database holds (tests that write documents). */
export const databaseCheckSchema = z.object({
  reported: z.number().int(),
  /** Null when the database could not be counted; `error` says why. */
  database: z.number().int().nullable(),
  match: z.boolean(),
  error: z.string().optional(),
});
export type DatabaseCheck = z.infer<typeof databaseCheckSchema>;

export const errorMessageSchema = z.object({
  /** SQLSTATE or driver code the errors share. */
  class: z.string(),
  /** One message of the class, secrets masked. */
  message: z.string(),
  count: z.number().int(),
});

const latencyFields = {
  avgMs: z.number(),
  minMs: z.number(),
  maxMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  stddevMs: z.number(),
};
const latencySchema = z.object(latencyFields);
export type LatencyMs = z.infer<typeof latencySchema>;

export const benchmarkResultSchema = z.object({
  providerName: z.string(),
  providerKind: z.string(),
  testName: z.string(),
  runId: z.string(),
  /** Operations attempted: successful + failed. */
  iterations: z.number().int(),
  ...latencyFields,
  /** Successful / attempted, 0..1. */
  successRate: z.number(),
  errorCount: z.number().int(),
  errorMessages: z.array(errorMessageSchema),
  /** Timed parts from their own histograms (connection test: connect, query). */
  parts: z.record(z.string(), latencySchema).optional(),
  databaseCheck: databaseCheckSchema.optional(),
  windows: z.array(windowSampleSchema),
});
export type BenchmarkResult = z.infer<typeof benchmarkResultSchema>;

export const loadTestResultSchema = z.object({
  providerName: z.string(),
  providerKind: z.string(),
  testName: z.string(),
  /** Step or phase of a stepped test (`ramp:10`, `spike`), `constant` otherwise. */
  phase: z.string(),
  runId: z.string(),
  concurrentUsers: z.number().int(),
  durationSeconds: z.number(),
  totalRequests: z.number().int(),
  successfulRequests: z.number().int(),
  failedRequests: z.number().int(),
  requestsPerSecond: z.number(),
  ...latencyFields,
  /** Failed / total, in per cent. */
  errorRatePercent: z.number(),
  /** Highest user count of the test (all its steps) with errors under 1 % and p95 under the SLO. */
  concurrentUserCapacity: z.number().int(),
  /** The p95 objective the capacity was judged by, and whether this step met it (with errors under 1 %). */
  sloP95Ms: z.number().optional(),
  withinSlo: z.boolean().optional(),
  /** Constant and ramp-up tests: the last step before adding users stopped adding 5 % throughput; null when none did. */
  knee: z.object({ phase: z.string(), users: z.number().int(), requestsPerSecond: z.number() }).nullable().optional(),
  /** Spike tests: from the end of the spike until the windowed p95 is back within 20 % of before; null when it never was. */
  recoveryMs: z.number().nullable().optional(),
  errorMessages: z.array(errorMessageSchema),
  databaseCheck: databaseCheckSchema.optional(),
  windowMs: z.number().int(),
  windows: z.array(windowSampleSchema),
});
export type LoadTestResult = z.infer<typeof loadTestResultSchema>;

/** Library results give latency in milliseconds; a report's figures are microseconds. */
export function msFromUs(us: number): number {
  return us / 1000;
}

/** Milliseconds with nanosecond resolution (what histograms record), from a report's µs summary. */
export function latencyMs(l: ProviderReport['total']['latencyUs']): LatencyMs {
  const roundedMs = (us: number): number => msFromUs(Math.round(us * 1000) / 1000);
  return {
    avgMs: roundedMs(l.mean),
    minMs: roundedMs(l.min),
    maxMs: roundedMs(l.max),
    p50Ms: roundedMs(l.p50),
    p95Ms: roundedMs(l.p95),
    p99Ms: roundedMs(l.p99),
    stddevMs: roundedMs(l.stddev),
  };
}

/**
 * One operation's figures per window of a provider's report: the replicates verdicts compare.
 * The last window is partial; `block` is the interleaved block (round) the window belongs to,
 * which pairs providers' windows.
 */
export function windowSamples(report: ProviderReport, operation: string): WindowSample[] {
  const last = report.windows.at(-1);
  return report.windows.flatMap((w) => {
    const op = w.operations?.find((o) => o.operation === operation);
    if (!op) return [];
    return [
      {
        window: w.window,
        block: w.block ?? 0,
        ok: op.ok,
        errors: op.failed,
        meanMs: msFromUs(op.latencyUs.mean),
        p95Ms: msFromUs(op.latencyUs.p95),
        p99Ms: msFromUs(op.latencyUs.p99),
        partial: w === last,
      },
    ];
  });
}

export function errorMessages(op: Partial<Pick<ProviderReport['total'], 'errors'>>): z.infer<typeof errorMessageSchema>[] {
  return Object.entries(op.errors ?? {})
    .map(([cls, e]) => ({ class: cls, message: e.sample, count: e.count }))
    .sort((a, b) => b.count - a.count);
}
