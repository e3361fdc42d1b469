import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { LoadedScenario } from '../config/load.js';
import { formatPath } from '../config/load.js';
import type { OperationConfig, ProviderConfig, Scenario } from '../config/schema.js';
import { UserError } from '../errors.js';
import { operationName } from '../operations/compile.js';
import { profileFor, type ProfileConfig, profileSchema } from '../profiles/index.js';
import type { ProfileOverrides } from '../profiles/types.js';
import { parseDuration } from '../util/duration.js';

/** Flags and library options that override the scenario file. */
export interface PlanOverrides extends ProfileOverrides {
  workers?: number;
  keepData?: boolean;
  windowMs?: number;
  interleave?: number;
}

/** A validated, fully resolved run: what the engine executes, whatever the entry point. */
export interface RunPlan {
  runId: string;
  name: string;
  scenario: Scenario;
  file?: string;
  baseDir: string;
  providers: ProviderConfig[];
  workload: OperationConfig[];
  operationNames: string[];
  profile: ProfileConfig;
  /** 0 runs the same engine in-process. */
  workers: number;
  windowMs: number;
  keepData: boolean;
  /** Alternating blocks per provider (1 or absent: each provider runs once, in turn). */
  interleave?: number;
}

export function buildPlan(loaded: LoadedScenario, overrides: PlanOverrides = {}): RunPlan {
  const { scenario } = loaded;
  const profile = applyOverrides(scenario.profile, overrides);
  const operationNames = scenario.workload.map(operationName);
  const duplicate = operationNames.find((n, i) => operationNames.indexOf(n) !== i);
  if (duplicate) throw new UserError(`${loaded.file}: workload: two operations are named "${duplicate}"`);
  const providerNames = scenario.providers.map((p) => p.name);
  const dupProvider = providerNames.find((n, i) => providerNames.indexOf(n) !== i);
  if (dupProvider) throw new UserError(`${loaded.file}: providers: two providers are named "${dupProvider}"`);

  const requested = overrides.workers ?? scenario.options?.workers ?? availableParallelism();
  const peak = profileFor(profile.type).peakVus(profile);
  return {
    runId: randomUUID(),
    name: scenario.name ?? 'scenario',
    scenario,
    file: loaded.file,
    baseDir: loaded.baseDir,
    providers: scenario.providers,
    workload: scenario.workload,
    operationNames,
    profile,
    // More workers than VUs would only idle.
    workers: Math.min(requested, peak),
    windowMs: overrides.windowMs ?? (scenario.options?.window ? parseDuration(scenario.options.window, 'options.window') : 1000),
    keepData: overrides.keepData ?? scenario.options?.keepData ?? false,
    interleave: overrides.interleave ?? scenario.options?.interleave,
  };
}

function applyOverrides(profile: ProfileConfig, overrides: ProfileOverrides): ProfileConfig {
  if (overrides.vus === undefined && overrides.durationMs === undefined) return profile;
  const changed = profileFor(profile.type).override(profile, overrides);
  const checked = profileSchema.safeParse(changed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UserError(`profile.${formatPath(issue.path)}: ${issue.message} (after command-line overrides)`);
  }
  return checked.data;
}
