import { z } from 'zod';
import { msSchema } from '../util/fields.js';
import { arrivalShares, runArrivals, type ArrivalShare } from './arrivals.js';
import {
  arrivalFields,
  MAX_VUS_MESSAGE,
  maxVusCoverPreallocated,
  perMs,
  perSecond,
  RATE_BOUND_MESSAGE,
  resolveArrivalFields,
  resolvedArrivalFields,
  withinRateBound,
} from './constant-arrival-rate.js';
import { resolvedStagesSchema, type Stage, stagePhases, stagesSchema } from './stages.js';
import type { ProfileDefinition } from './types.js';

const RATE = 'must be 0 or a positive number';
const rateOrZero = z.number({ error: RATE }).min(0, RATE);

// The checks name the fields as a scenario writes them (`startRate`), so an error points at its line.
const resolved = z
  .strictObject({
    type: z.literal('ramping-arrival-rate'),
    startRatePerSec: rateOrZero,
    /** Each stage moves the rate linearly to its target, in arrivals a second. */
    stages: resolvedStagesSchema(rateOrZero, msSchema),
    ...resolvedArrivalFields,
  })
  .refine(maxVusCoverPreallocated, MAX_VUS_MESSAGE)
  .superRefine((c, ctx) => {
    if (!withinRateBound(c.startRatePerSec)) ctx.addIssue({ code: 'custom', message: RATE_BOUND_MESSAGE, path: ['startRate'] });
    c.stages.forEach((s, i) => {
      if (!withinRateBound(s.target)) ctx.addIssue({ code: 'custom', message: RATE_BOUND_MESSAGE, path: ['stages', i, 'target'] });
    });
  });
export type RampingArrivalRate = z.infer<typeof resolved>;

/** Stage targets per `timeUnitMs` → arrivals a second. */
function stagesPerSecond(stages: readonly Stage[], timeUnitMs: number): Stage[] {
  return stages.map((s) => ({ durationMs: s.durationMs, target: perSecond(s.target, timeUnitMs) }));
}

export const schema = z
  .strictObject({
    type: z.literal('ramping-arrival-rate'),
    startRate: rateOrZero.optional(),
    stages: stagesSchema(rateOrZero),
    ...arrivalFields,
  })
  .transform((c): RampingArrivalRate => {
    const pool = resolveArrivalFields(c);
    return {
      type: c.type,
      startRatePerSec: perSecond(c.startRate ?? 0, pool.timeUnitMs),
      stages: stagesPerSecond(c.stages, pool.timeUnitMs),
      ...pool,
    };
  })
  .pipe(resolved);

/** The rate moves from stage to stage (k6's ramping-arrival-rate); each stage is a reported phase. */
export const rampingArrivalRate: ProfileDefinition<RampingArrivalRate, ArrivalShare> = {
  type: 'ramping-arrival-rate',
  resolved,
  closedModel: false,
  overrides: ['stages'],
  override: (config, o) => (o.stages ? { ...config, stages: stagesPerSecond(o.stages, config.timeUnitMs) } : config),
  peakVus: (config) => config.maxVUs,
  sharePeakVus: (share) => share.maxVUs,
  split(config, weights) {
    let from = perMs(config.startRatePerSec);
    const segments = config.stages.map((s) => {
      const to = perMs(s.target);
      const segment = { durationMs: s.durationMs, from, to };
      from = to;
      return segment;
    });
    return arrivalShares(segments, config, weights);
  },
  durationMs: (config) => config.stages.reduce((ms, s) => ms + s.durationMs, 0),
  phases: (config) => stagePhases(config.stages),
  run: runArrivals,
};
