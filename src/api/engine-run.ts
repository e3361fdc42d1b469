import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import { runPlan } from '../engine/engine.js';
import { RunFailure } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { libraryPlan } from '../plan/library.js';
import { takeNotes } from '../util/notes.js';
import type { ProfileConfig } from '../profiles/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import { buildReport } from '../report/build.js';
import type { ProviderReport } from '../report/types.js';
import { type DatabaseCheck, type WindowSample, windowSamples } from './results.js';

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
  for (const line of takeNotes()) options.logger?.info(line);
  const report = buildReport(await runPlan(plan, { logger: options.logger ?? silentLogger(), signal: options.signal }));
  const failed = report.providers.find((p) => p.failure);
  if (failed) throw new RunFailure(`provider "${failed.name}": ${failed.failure}`);
  const opName = plan.operationNames[0]!;
  return {
    runId: plan.runId,
    name,
    operation: opName,
    providers: report.providers.map((p) => ({ report: p, windows: windowSamples(p, opName) })),
  };
}

/** A report's document count as library results carry it (the dataset id stays in the report). */
export function databaseCheck(report: ProviderReport): DatabaseCheck | undefined {
  const d = report.verification?.documents;
  return d && { reported: d.reported, database: d.database, match: d.match, ...(d.error ? { error: d.error } : {}) };
}
