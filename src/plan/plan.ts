import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { LoadedScenario } from '../config/load.js';
import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import type { Scenario } from '../config/schema.js';
import { UserError } from '../errors.js';
import { check } from '../util/issues.js';
import { requireUniqueNames } from '../util/names.js';
import { operationName } from '../operations/compile.js';
import { type PlannedProfile, profileFor, type ProfileConfig, profileSchema } from '../profiles/index.js';
import type { ScenariosConfig } from '../profiles/scenarios.js';
import type { ProfileOverrides } from '../profiles/types.js';
import { formatDuration, MAX_DURATION_MS, parseDuration, TOO_LONG } from '../util/duration.js';
import { atMost, MAX_VUS } from '../util/fields.js';

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
  profile: PlannedProfile;
  /** 0 runs the same engine in-process. */
  workers: number;
  windowMs: number;
  keepData: boolean;
  /** Alternating blocks per provider (1 or absent: each provider runs once, in turn). */
  interleave?: number;
}

export function buildPlan(loaded: LoadedScenario, overrides: PlanOverrides = {}): RunPlan {
  const { scenario } = loaded;
  const profile = scenario.scenarios
    ? profileFor('scenarios').override(planScenarios(scenario.scenarios, loaded.file), overrides)
    : applyOverrides(scenario.profile!, overrides);
  const operationNames = scenario.workload.map(operationName);
  requireUniqueNames(operationNames, 'operations', (name, i) => `${loaded.file}: workload[${i}] "${name}"`);
  requireUniqueNames(
    scenario.providers.map((p) => p.name),
    'providers',
    (name, i) => `${loaded.file}: providers[${i}].name "${name}"`,
  );

  const requested = overrides.workers ?? scenario.options?.workers ?? availableParallelism();
  const peak = profileFor(profile.type).peakVus(profile);
  // Each field is bounded on its own; stages and scenarios add up.
  const field = scenario.scenarios ? 'scenarios' : 'profile';
  if (peak > MAX_VUS) throw new UserError(`${loaded.file}: ${field}: ${peak} VUs at once; ${atMost(MAX_VUS, ' VUs')}`);
  const plannedMs = profileFor(profile.type).durationMs(profile);
  if (plannedMs !== undefined && plannedMs > MAX_DURATION_MS) {
    throw new UserError(`${loaded.file}: ${field}: planned to last ${formatDuration(plannedMs)}; a run ${TOO_LONG}`);
  }
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

/** Start offsets of several scenarios: as given, or when the previous one's planned duration ends. */
function planScenarios(items: NonNullable<Scenario['scenarios']>, file: string): ScenariosConfig {
  let previousEnd: number | undefined = 0;
  requireUniqueNames(
    items.map((it) => it.name),
    'scenarios',
    (name, i) => `${file}: scenarios[${i}].name "${name}"`,
  );
  return {
    type: 'scenarios',
    items: items.map((it, i) => {
      const startMs =
        it.startTime === undefined ? previousEnd : it.startTime === 0 ? 0 : parseDuration(it.startTime, `scenarios[${i}].startTime`);
      if (startMs === undefined) {
        throw new UserError(
          `${file}: scenarios[${i}].startTime: is required after "${items[i - 1]!.name}", whose profile has no planned end`,
        );
      }
      const ms = profileFor(it.profile.type).durationMs(it.profile);
      previousEnd = ms === undefined ? undefined : startMs + ms;
      return { name: it.name, startMs, profile: it.profile };
    }),
  };
}

function applyOverrides(profile: ProfileConfig, overrides: ProfileOverrides): ProfileConfig {
  const { vus, durationMs, rate, stages } = overrides;
  if (vus === undefined && durationMs === undefined && rate === undefined && stages === undefined) return profile;
  const changed = profileFor(profile.type).override(profile, { vus, durationMs, rate, stages });
  const checked = check(profileSchema, changed, ['profile']);
  if (!checked.success) {
    const { field, message } = checked.problem;
    throw new UserError(`${field}: ${message} (after command-line overrides)`);
  }
  return checked.data;
}
