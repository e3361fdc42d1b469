import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import { type ProviderRun, runPlan } from '../engine/engine.js';
import { RunFailure } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { libraryPlan } from '../plan/library.js';
import type { ProfileConfig } from '../profiles/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import { buildReport } from '../report/build.js';
import type { ProviderReport } from '../report/types.js';
import type { DatabaseCheck, WindowSample } from './results.js';

/** Options every library class takes; none is required. */
export interface EngineOptions {
  /** Worker threads (default: one per CPU, at most one per VU); 0 runs in-process. */
  workers?: number;
  /** Recording window in ms: the unit of the per-window samples verdicts are drawn from. */
  windowMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
  /** Where relative custom-provider modules resolve from (default: the working directory). */
  baseDir?: string;
}

/** A provider as the library takes it: its config, or a provider built from one. */
export type ProviderLike = ProviderConfig | DatabaseProvider;

export function providerConfig(p: ProviderLike): ProviderConfig {
  return 'providerName' in p ? p.config : p;
}

export interface EngineRun {
  runId: string;
  name: string;
  operation: string;
  providers: Array<{ report: ProviderReport; windows: WindowSample[] }>;
}

/**
 * Runs one operation against the providers on the engine (workers, HDR merge, counts checked) and
 * returns each provider's report with its per-window samples. The library never times anything itself.
 */
export async function runOnEngine(
  name: string,
  providers: readonly ProviderConfig[],
  operation: OperationConfig,
  profile: ProfileConfig,
  options: EngineOptions & { interleave?: number },
): Promise<EngineRun> {
  const plan = libraryPlan(
    { name, providers: [...providers], workload: [operation], profile },
    { workers: options.workers, windowMs: options.windowMs, interleave: options.interleave },
    options.baseDir,
  );
  const result = await runPlan(plan, { logger: options.logger ?? silentLogger(), signal: options.signal });
  try {
    const report = buildReport(result);
    const failed = report.providers.find((p) => p.failure);
    if (failed) throw new RunFailure(`provider "${failed.name}": ${failed.failure}`);
    const opName = plan.operationNames[0]!;
    return {
      runId: plan.runId,
      name,
      operation: opName,
      providers: result.providers.map((run, i) => ({ report: report.providers[i]!, windows: windowSamples(run, opName) })),
    };
  } finally {
    for (const run of result.providers) run.aggregator.destroy();
  }
}

/**
 * One operation's figures per window: the replicates verdicts compare. The last window is partial;
 * `block` is the interleaved block (round) the window belongs to, which pairs providers' windows.
 */
export function windowSamples(run: ProviderRun, operation: string): WindowSample[] {
  const indices = run.aggregator.windowIndices();
  const starts = run.blockStarts ?? [0];
  return indices.flatMap((i, k) => {
    const op = run.aggregator.windowFigures(i)?.operations[operation];
    if (!op) return [];
    const block = starts.filter((s) => s <= i).length - 1;
    return [
      {
        window: i,
        block,
        ok: op.ok,
        errors: op.errors,
        meanMs: op.mean / 1000,
        p95Ms: op.p95 / 1000,
        p99Ms: op.p99 / 1000,
        partial: k === indices.length - 1,
      },
    ];
  });
}

/** A report's document count as library results carry it (the dataset id stays in the report). */
export function databaseCheck(report: ProviderReport): DatabaseCheck | undefined {
  const d = report.verification?.documents;
  return d && { reported: d.reported, database: d.database, match: d.match, ...(d.error ? { error: d.error } : {}) };
}
