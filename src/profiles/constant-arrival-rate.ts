import { z } from 'zod';
import { atMost, durationMsSchema, durationOrZeroMsSchema, MAX_RATE_PER_S, msOrZeroSchema, msSchema, vuCount } from '../util/fields.js';
import { arrivalShares, runArrivals, type ArrivalShare } from './arrivals.js';
import type { ProfileDefinition } from './types.js';

export const rateSchema = z.number({ error: 'must be a positive number' }).positive('must be a positive number');

const DEFAULT_DROP_AFTER_MS = 5000;
const SECOND_MS = 1000;

/** The VU pool and time unit of both arrival-rate profiles, as a scenario writes them. */
export const arrivalFields = {
  /** The unit the file's rates are per (default 1s). */
  timeUnit: durationMsSchema.optional(),
  preAllocatedVUs: vuCount(),
  maxVUs: vuCount().optional(),
  /** How late an arrival waiting for a free VU may start before it is dropped (pgbench --latency-limit); 0 drops at once (k6). */
  dropAfter: durationOrZeroMsSchema.optional(),
};

/** The same, resolved. */
export const resolvedArrivalFields = {
  /** Kept to read `--rate` and `--stages`, which are per the file's time unit. */
  timeUnitMs: msSchema,
  preAllocatedVUs: vuCount(),
  maxVUs: vuCount(),
  dropAfterMs: msOrZeroSchema,
};

export interface ArrivalPool {
  timeUnitMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  dropAfterMs: number;
}

export function resolveArrivalFields(c: { timeUnit?: number; preAllocatedVUs: number; maxVUs?: number; dropAfter?: number }): ArrivalPool {
  return {
    timeUnitMs: c.timeUnit ?? SECOND_MS,
    preAllocatedVUs: c.preAllocatedVUs,
    maxVUs: c.maxVUs ?? c.preAllocatedVUs,
    dropAfterMs: c.dropAfter ?? DEFAULT_DROP_AFTER_MS,
  };
}

/** Arrivals a second, the unit every resolved rate is in, from a rate per `timeUnitMs`. */
export function perSecond(rate: number, timeUnitMs: number): number {
  return (rate * SECOND_MS) / timeUnitMs;
}

/** Arrivals per millisecond, the schedule's unit. */
export function perMs(ratePerSec: number): number {
  return ratePerSec / SECOND_MS;
}

export const maxVusCoverPreallocated = (c: { maxVUs: number; preAllocatedVUs: number }): boolean => c.maxVUs >= c.preAllocatedVUs;
export const MAX_VUS_MESSAGE = { message: 'must be at least preAllocatedVUs', path: ['maxVUs'] };
export const withinRateBound = (ratePerSec: number): boolean => ratePerSec <= MAX_RATE_PER_S;
export const RATE_BOUND_MESSAGE = atMost(MAX_RATE_PER_S, ' arrivals a second');

// The checks name the fields as a scenario writes them (`rate`), so an error points at its line.
const resolved = z
  .strictObject({
    type: z.literal('constant-arrival-rate'),
    /** Operations started a second, whether or not earlier ones have finished. */
    ratePerSec: rateSchema,
    durationMs: msSchema,
    ...resolvedArrivalFields,
  })
  .refine(maxVusCoverPreallocated, MAX_VUS_MESSAGE)
  .refine((c) => withinRateBound(c.ratePerSec), { message: RATE_BOUND_MESSAGE, path: ['rate'] });
export type ConstantArrivalRate = z.infer<typeof resolved>;

export const schema = z
  .strictObject({
    type: z.literal('constant-arrival-rate'),
    /** Operations started per `timeUnit`. */
    rate: rateSchema,
    duration: durationMsSchema,
    ...arrivalFields,
  })
  .transform((c): ConstantArrivalRate => {
    const pool = resolveArrivalFields(c);
    return { type: c.type, ratePerSec: perSecond(c.rate, pool.timeUnitMs), durationMs: c.duration, ...pool };
  })
  .pipe(resolved);

/** A fixed rate of operations for a duration (k6's constant-arrival-rate, pgbench -R). */
export const constantArrivalRate: ProfileDefinition<ConstantArrivalRate, ArrivalShare> = {
  type: 'constant-arrival-rate',
  resolved,
  closedModel: false,
  overrides: ['rate', 'durationMs'],
  override: (config, o) => ({
    ...config,
    ratePerSec: o.rate === undefined ? config.ratePerSec : perSecond(o.rate, config.timeUnitMs),
    durationMs: o.durationMs ?? config.durationMs,
  }),
  peakVus: (config) => config.maxVUs,
  sharePeakVus: (share) => share.maxVUs,
  split(config, weights) {
    const r = perMs(config.ratePerSec);
    return arrivalShares([{ durationMs: config.durationMs, from: r, to: r }], config, weights);
  },
  durationMs: (config) => config.durationMs,
  run: runArrivals,
};
