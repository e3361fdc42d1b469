import { type Comparison, compareProviders } from '../report/comparison.js';
import { windowSamples } from '../api/engine-run.js';
import type { RunResult } from '../engine/engine.js';
import type { Report } from '../report/types.js';

/**
 * The providers of one run side by side, per operation: p95 latency with the verdict drawn from
 * the per-window samples (interleaved blocks when the scenario asks for them).
 */
export function sideBySide(result: RunResult, report: Report): Comparison[] {
  if (result.providers.length < 2) return [];
  return result.plan.operationNames.flatMap((operation) => {
    const entries = result.providers.map((run, i) => {
      const windows = windowSamples(run, operation);
      return {
        name: run.config.name,
        value: (report.providers[i]!.operations.find((o) => o.operation === operation)?.latencyUs.p95 ?? 0) / 1000,
        replicates: windows.map((w) => ({ weight: w.ok, value: w.p95Ms })),
        runId: report.runId,
        blocks: windows.map((w) => w.block),
      };
    });
    return compareProviders({ test: operation, kind: 'load', metric: 'p95' }, entries) ?? [];
  });
}
