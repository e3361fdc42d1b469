import { z } from 'zod';
import { positiveInt } from '../config/fields.js';
import { durationSchema } from '../config/durations.js';
import { arrivalShares, runArrivals, type ArrivalShare } from '../engine/arrivals.js';
import { parseDuration } from '../util/duration.js';
import { allowOverrides, type ProfileDefinition } from './types.js';

export const rateSchema = z.number({ error: 'must be a positive number' }).positive('must be a positive number');

export const schema = z
  .strictObject({
    type: z.literal('constant-arrival-rate'),
    /** Operations started per `timeUnit`, whether or not earlier ones have finished. */
    rate: rateSchema,
    timeUnit: durationSchema.optional(),
    duration: durationSchema,
    preAllocatedVUs: positiveInt(),
    maxVUs: positiveInt().optional(),
  })
  .refine((c) => c.maxVUs === undefined || c.maxVUs >= c.preAllocatedVUs, {
    message: 'must be at least preAllocatedVUs',
    path: ['maxVUs'],
  });
type Config = z.infer<typeof schema>;

export function perMs(rate: number, timeUnit: string | number | undefined): number {
  return rate / (timeUnit === undefined ? 1000 : parseDuration(timeUnit, 'profile.timeUnit'));
}

/** A fixed rate of operations for a duration (k6's constant-arrival-rate, pgbench -R). */
export const constantArrivalRate: ProfileDefinition<Config, ArrivalShare> = {
  type: 'constant-arrival-rate',
  schema,
  closedModel: false,
  override(config, o) {
    allowOverrides('constant-arrival-rate', o, ['rate', 'durationMs']);
    return { ...config, ...(o.rate !== undefined ? { rate: o.rate } : {}), ...(o.durationMs ? { duration: `${o.durationMs}ms` } : {}) };
  },
  peakVus: (config) => config.maxVUs ?? config.preAllocatedVUs,
  sharePeakVus: (share) => share.maxVUs,
  split(config, weights) {
    const r = perMs(config.rate, config.timeUnit);
    const segment = { durationMs: parseDuration(config.duration, 'profile.duration'), from: r, to: r };
    return arrivalShares([segment], config.preAllocatedVUs, config.maxVUs ?? config.preAllocatedVUs, weights);
  },
  durationMs: (config) => parseDuration(config.duration, 'profile.duration'),
  run: runArrivals,
};
