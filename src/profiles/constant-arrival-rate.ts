import { z } from 'zod';
import { atMost, MAX_RATE_PER_S, vuCount, durationSchema } from '../util/fields.js';
import { arrivalShares, runArrivals, type ArrivalShare } from './arrivals.js';
import { durationMs, parseDuration } from '../util/duration.js';
import { allowOverrides, type ProfileDefinition } from './types.js';

export const rateSchema = z.number({ error: 'must be a positive number' }).positive('must be a positive number');

export const dropAfterSchema = z.union([z.literal(0), durationSchema]);
const DEFAULT_DROP_AFTER_MS = 5000;

/** VUs and backlog limit shared by both arrival-rate profiles. */
export function arrivalVus(config: { preAllocatedVUs: number; maxVUs?: number; dropAfter?: string | number }) {
  const dropAfterMs =
    config.dropAfter === undefined
      ? DEFAULT_DROP_AFTER_MS
      : config.dropAfter === 0
        ? 0
        : parseDuration(config.dropAfter, 'profile.dropAfter');
  return { preAllocatedVUs: config.preAllocatedVUs, maxVUs: config.maxVUs ?? config.preAllocatedVUs, dropAfterMs };
}

/** The VU pool of both arrival-rate profiles. */
export const arrivalVuFields = {
  preAllocatedVUs: vuCount(),
  maxVUs: vuCount().optional(),
  /** How late an arrival waiting for a free VU may start before it is dropped (pgbench --latency-limit); 0 drops at once (k6). */
  dropAfter: dropAfterSchema.optional(),
};

export function maxVusCoverPreallocated(c: { maxVUs?: number; preAllocatedVUs: number }): boolean {
  return c.maxVUs === undefined || c.maxVUs >= c.preAllocatedVUs;
}
export const MAX_VUS_MESSAGE = { message: 'must be at least preAllocatedVUs', path: ['maxVUs'] };

/** True unless `rate` per `timeUnit` is more arrivals a second than a run takes (a malformed unit is its own field's error). */
export function rateWithinBound(rate: unknown, timeUnit: string | number | undefined): boolean {
  const perSecond = (Number(rate) * 1000) / (timeUnit === undefined ? 1000 : durationMs(timeUnit));
  return !(perSecond > MAX_RATE_PER_S);
}
export const RATE_BOUND_MESSAGE = atMost(MAX_RATE_PER_S, ' arrivals a second');

export const schema = z
  .strictObject({
    type: z.literal('constant-arrival-rate'),
    /** Operations started per `timeUnit`, whether or not earlier ones have finished. */
    rate: rateSchema,
    timeUnit: durationSchema.optional(),
    duration: durationSchema,
    ...arrivalVuFields,
  })
  .refine(maxVusCoverPreallocated, MAX_VUS_MESSAGE)
  .refine((c) => rateWithinBound(c.rate, c.timeUnit), { message: RATE_BOUND_MESSAGE, path: ['rate'] });
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
    return arrivalShares([segment], arrivalVus(config), weights);
  },
  durationMs: (config) => parseDuration(config.duration, 'profile.duration'),
  run: runArrivals,
};
