import { z } from 'zod';
import { UserError } from '../errors.js';
import { constantArrivalRate, schema as constantArrivalRateSchema } from './constant-arrival-rate.js';
import { constantVus, schema as constantVusSchema } from './constant-vus.js';
import { iterations, schema as iterationsSchema } from './iterations.js';
import { rampingArrivalRate, schema as rampingArrivalRateSchema } from './ramping-arrival-rate.js';
import { rampingVus, schema as rampingVusSchema } from './ramping-vus.js';
import { spike, schema as spikeSchema } from './spike.js';
import type { ProfileDefinition } from './types.js';

export const profileSchema = z.discriminatedUnion('type', [
  constantVusSchema,
  iterationsSchema,
  rampingVusSchema,
  spikeSchema,
  constantArrivalRateSchema,
  rampingArrivalRateSchema,
]);
/** One load profile as a scenario writes it. */
export type ProfileConfig = z.infer<typeof profileSchema>;

/**
 * A profile seen from outside: its own config, and shares its caller hands back to it unopened
 * (each profile's share type is its own).
 */
export type SomeProfile<Config extends { type: string }> = ProfileDefinition<Config, unknown>;

// The registry of single profiles, keyed by type name; a new profile is one module, and one line
// here and in profileSchema. Several scenarios in one run (scenarios.ts) are built on top of it.
const PROFILES: ReadonlyArray<SomeProfile<ProfileConfig>> = [
  constantVus,
  iterations,
  rampingVus,
  spike,
  constantArrivalRate,
  rampingArrivalRate,
];

export function singleProfile(type: string): SomeProfile<ProfileConfig> {
  const found = PROFILES.find((p) => p.type === type);
  if (!found) throw new UserError(`profile.type: unknown profile "${type}"`);
  return found;
}
