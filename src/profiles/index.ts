import { z } from 'zod';
import { UserError } from '../errors.js';
import { constantArrivalRate, schema as constantArrivalRateSchema } from './constant-arrival-rate.js';
import { constantVus, schema as constantVusSchema } from './constant-vus.js';
import { iterations, schema as iterationsSchema } from './iterations.js';
import { rampingArrivalRate, schema as rampingArrivalRateSchema } from './ramping-arrival-rate.js';
import { rampingVus, schema as rampingVusSchema } from './ramping-vus.js';
import { type ScenariosConfig, scenarios } from './scenarios.js';
import { spike, schema as spikeSchema } from './spike.js';
import type { ProfileDefinition } from './types.js';

// The registry of profiles, keyed by type name; a new profile is one module and one line here.
const PROFILES = [constantVus, iterations, rampingVus, spike, constantArrivalRate, rampingArrivalRate, scenarios] as const;

export const profileSchema = z.discriminatedUnion('type', [
  constantVusSchema,
  iterationsSchema,
  rampingVusSchema,
  spikeSchema,
  constantArrivalRateSchema,
  rampingArrivalRateSchema,
]);
export type ProfileConfig = z.infer<typeof profileSchema>;
/** What a plan runs: one profile, or several scenarios each with its own. */
export type PlannedProfile = ProfileConfig | ScenariosConfig;

// Each profile's config and share types are its own; the engine handles them opaquely.
export type AnyProfile = ProfileDefinition<any, any>;

/** Open model (latency from the intended start) when the profile, or any of the scenarios, is arrival-rate. */
export function isOpenModel(config: PlannedProfile): boolean {
  if (config.type === 'scenarios') return config.items.some((it) => isOpenModel(it.profile));
  return !profileFor(config.type).closedModel;
}

export function profileFor(type: string): AnyProfile {
  const found = PROFILES.find((p) => p.type === type) as AnyProfile | undefined;
  if (!found) throw new UserError(`profile.type: unknown profile "${type}"`);
  return found;
}
