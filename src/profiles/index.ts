import { z } from 'zod';
import { UserError } from '../errors.js';
import { constantArrivalRate, schema as constantArrivalRateSchema } from './constant-arrival-rate.js';
import { constantVus, schema as constantVusSchema } from './constant-vus.js';
import { iterations, schema as iterationsSchema } from './iterations.js';
import { rampingArrivalRate, schema as rampingArrivalRateSchema } from './ramping-arrival-rate.js';
import { rampingVus, schema as rampingVusSchema } from './ramping-vus.js';
import { type ScenariosConfig, scenariosProfile } from './scenarios.js';
import { spike, schema as spikeSchema } from './spike.js';
import type { ProfileDefinition } from './types.js';

/** One load profile: validated and resolved (durations in ms, rates in arrivals a second). */
export const profileSchema = z.discriminatedUnion('type', [
  constantVusSchema,
  iterationsSchema,
  rampingVusSchema,
  spikeSchema,
  constantArrivalRateSchema,
  rampingArrivalRateSchema,
]);
/** One load profile as a scenario writes it. */
export type ProfileConfig = z.input<typeof profileSchema>;
/** One load profile, resolved: what a plan runs and a report shows. */
export type ResolvedProfile = z.output<typeof profileSchema>;
export type Scenarios = ScenariosConfig<ResolvedProfile>;
/** What a plan runs: one profile, or several scenarios each with its own. */
export type PlannedProfile = ResolvedProfile | Scenarios;

/**
 * A profile seen from outside: its own config, and shares its caller hands back to it unopened
 * (each profile's share type is its own).
 */
type SomeProfile<Config extends { type: string }> = ProfileDefinition<Config, unknown>;

// The registry, keyed by type name: a new profile is one module, and one line here and in
// profileSchema. Several scenarios in one run are built on top of the single profiles.
const SINGLE: ReadonlyArray<SomeProfile<ResolvedProfile>> = [
  constantVus,
  iterations,
  rampingVus,
  spike,
  constantArrivalRate,
  rampingArrivalRate,
];

function singleProfile(type: string): SomeProfile<ResolvedProfile> {
  const found = SINGLE.find((p) => p.type === type);
  if (!found) throw new UserError(`profile.type: unknown profile "${type}"`);
  return found;
}

const scenarios = scenariosProfile(singleProfile, z.custom<Scenarios>());

/** Any profile a plan may hold, by type name. */
export function profileFor(type: string): SomeProfile<PlannedProfile> {
  return type === 'scenarios' ? scenarios : singleProfile(type);
}

/** Open model (latency from the intended start) when the profile, or any of the scenarios, is arrival-rate. */
export function isOpenModel(config: PlannedProfile): boolean {
  if (config.type === 'scenarios') return config.items.some((it) => isOpenModel(it.profile));
  return !profileFor(config.type).closedModel;
}
