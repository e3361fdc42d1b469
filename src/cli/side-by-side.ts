import { type Comparison, compareProviders } from '../report/comparison.js';
import { msFromUs, windowSamples } from '../api/results.js';
import type { Report } from '../report/types.js';

/**
 * The providers of one run side by side, per operation: p95 latency (ms) with the verdict drawn
 * from the report's per-window figures (interleaved blocks when the scenario asks for them).
 */
export function sideBySide(report: Report): Comparison[] {
  if (report.providers.length < 2) return [];
  return report.providers[0]!.operations.flatMap(({ operation }) => {
    const entries = report.providers.map((p) => {
      const windows = windowSamples(p, operation);
      return {
        name: p.name,
        value: msFromUs(p.operations.find((o) => o.operation === operation)?.latencyUs.p95 ?? 0),
        replicates: windows.map((w) => ({ weight: w.ok, value: w.p95Ms })),
        runId: report.runId,
        blocks: windows.map((w) => w.block),
      };
    });
    return compareProviders({ test: operation, kind: 'load', metric: 'p95' }, entries) ?? [];
  });
}
