import { randomInt, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { LoadedScenario } from '../config/load.js';
import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import type { Scenario } from '../config/schema.js';
import { UserError } from '../errors.js';
import { check } from '../util/issues.js';
import { requireUniqueNames } from '../util/names.js';
import { operationName } from '../operations/compile.js';
import { type PlannedProfile, profileFor, type Scenarios } from '../profiles/index.js';
import type { ProfileOverrides } from '../profiles/types.js';
import { formatDuration, MAX_DURATION_MS, TOO_LONG } from '../util/duration.js';
import { atMost, MAX_VUS } from '../util/fields.js';

/** Flags and library options that override the scenario file. */
export interface PlanOverrides extends ProfileOverrides {
  workers?: number;
  keepData?: boolean;
  windowMs?: number;
  interleave?: number;
  seed?: number;
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
  /** Every VU's random stream derives from it: the scenario's `seed`, or a random one per run. */
  seed: number;
}

const DEFAULT_WINDOW_MS = 1000;

export function buildPlan(loaded: LoadedScenario, overrides: PlanOverrides = {}): RunPlan {
  const { scenario } = loaded;
  const profile = applyOverrides(scenario.scenarios ? planScenarios(scenario.scenarios, loaded.file) : scenario.profile!, overrides);
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
    windowMs: overrides.windowMs ?? scenario.options?.windowMs ?? DEFAULT_WINDOW_MS,
    keepData: overrides.keepData ?? scenario.options?.keepData ?? false,
    interleave: overrides.interleave ?? scenario.options?.interleave,
    seed: overrides.seed ?? scenario.seed ?? randomInt(2 ** 32),
  };
}

/** Start offsets of several scenarios: as given, or when the previous one's planned duration ends. */
function planScenarios(items: NonNullable<Scenario['scenarios']>, file: string): Scenarios {
  let previousEnd: number | undefined = 0;
  requireUniqueNames(
    items.map((it) => it.name),
    'scenarios',
    (name, i) => `${file}: scenarios[${i}].name "${name}"`,
  );
  return {
    type: 'scenarios',
    items: items.map((it, i) => {
      const startMs = it.startMs ?? previousEnd;
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

const FLAGS: Record<keyof ProfileOverrides, string> = { vus: '--vus', durationMs: '--duration', rate: '--rate', stages: '--stages' };

/**
 * CLI flags applied to the resolved profile, which is then checked against the profile's own
 * bounds again. A flag that means nothing to the profile is an error, never silently ignored.
 */
function applyOverrides(profile: PlannedProfile, overrides: ProfileOverrides): PlannedProfile {
  const given = (Object.keys(FLAGS) as Array<keyof ProfileOverrides>).filter((key) => overrides[key] !== undefined);
  if (given.length === 0) return profile;
  const definition = profileFor(profile.type);
  const allowed = definition.overrides;
  for (const key of given) {
    if (!allowed.includes(key)) {
      const takes = allowed.length ? ` (it takes ${allowed.map((k) => FLAGS[k]).join(', ')})` : '';
      throw new UserError(`${FLAGS[key]} does not apply to profile "${definition.label ?? profile.type}"${takes}`);
    }
  }
  const { vus, durationMs, rate, stages } = overrides;
  const checked = check(definition.resolved, definition.override(profile, { vus, durationMs, rate, stages }), ['profile']);
  if (!checked.success) {
    const { field, message } = checked.problem;
    throw new UserError(`${field}: ${message} (after command-line overrides)`);
  }
  return checked.data;
}
