import { z } from 'zod';
import { UserError } from '../errors.js';
import { constantArrivalRate, schema as constantArrivalRateSchema } from './constant-arrival-rate.js';
import { constantVus, schema as constantVusSchema } from './constant-vus.js';
import { iterations, schema as iterationsSchema } from './iterations.js';
import { rampingArrivalRate, schema as rampingArrivalRateSchema } from './ramping-arrival-rate.js';
import { rampingVus, schema as rampingVusSchema } from './ramping-vus.js';
import { spike, schema as spikeSchema } from './spike.js';
import type { ProfileDefinition } from './types.js';

// The registry of profiles, keyed by type name; a new profile is one module and one line here.
const PROFILES = [constantVus, iterations, rampingVus, spike, constantArrivalRate, rampingArrivalRate] as const;

export const profileSchema = z.discriminatedUnion('type', [
  constantVusSchema,
  iterationsSchema,
  rampingVusSchema,
  spikeSchema,
  constantArrivalRateSchema,
  rampingArrivalRateSchema,
]);
export type ProfileConfig = z.infer<typeof profileSchema>;

// Each profile's config and share types are its own; the engine handles them opaquely.
export type AnyProfile = ProfileDefinition<any, any>;

export function profileFor(type: string): AnyProfile {
  const found = PROFILES.find((p) => p.type === type) as AnyProfile | undefined;
  if (!found) throw new UserError(`profile.type: unknown profile "${type}"`);
  return found;
}
