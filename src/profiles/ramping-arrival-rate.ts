import { z } from 'zod';
import { durationSchema } from '../util/fields.js';
import { arrivalShares, runArrivals, type ArrivalShare } from './arrivals.js';
import {
  arrivalVuFields,
  arrivalVus,
  MAX_VUS_MESSAGE,
  maxVusCoverPreallocated,
  perMs,
  RATE_BOUND_MESSAGE,
  rateWithinBound,
} from './constant-arrival-rate.js';
import { stagePhases, stagesSchema } from './stages.js';
import { allowOverrides, type ProfileDefinition } from './types.js';

const RATE = 'must be 0 or a positive number';
const rateOrZero = z.number({ error: RATE }).min(0, RATE);

export const schema = z
  .strictObject({
    type: z.literal('ramping-arrival-rate'),
    startRate: rateOrZero.optional(),
    timeUnit: durationSchema.optional(),
    /** Each stage moves the rate linearly to its target. */
    stages: stagesSchema(rateOrZero),
    ...arrivalVuFields,
  })
  .refine(maxVusCoverPreallocated, MAX_VUS_MESSAGE)
  .superRefine((c, ctx) => {
    if (!rateWithinBound(c.startRate ?? 0, c.timeUnit)) ctx.addIssue({ code: 'custom', message: RATE_BOUND_MESSAGE, path: ['startRate'] });
    c.stages.forEach((s, i) => {
      if (!rateWithinBound(s.target, c.timeUnit))
        ctx.addIssue({ code: 'custom', message: RATE_BOUND_MESSAGE, path: ['stages', i, 'target'] });
    });
  });
type Config = z.infer<typeof schema>;

/** The rate moves from stage to stage (k6's ramping-arrival-rate); each stage is a reported phase. */
export const rampingArrivalRate: ProfileDefinition<Config, ArrivalShare> = {
  type: 'ramping-arrival-rate',
  schema,
  closedModel: false,
  override(config, o) {
    allowOverrides('ramping-arrival-rate', o, ['stages']);
    return o.stages ? { ...config, stages: o.stages } : config;
  },
  peakVus: (config) => config.maxVUs ?? config.preAllocatedVUs,
  sharePeakVus: (share) => share.maxVUs,
  split(config, weights) {
    let from = perMs(config.startRate ?? 0, config.timeUnit);
    const segments = stagePhases(config.stages, 'profile.stages').map((p) => {
      const to = perMs(p.target!, config.timeUnit);
      const segment = { durationMs: p.endMs - p.startMs, from, to };
      from = to;
      return segment;
    });
    return arrivalShares(segments, arrivalVus(config), weights);
  },
  durationMs: (config) => stagePhases(config.stages, 'profile.stages').at(-1)!.endMs,
  phases: (config) => stagePhases(config.stages, 'profile.stages'),
  run: runArrivals,
};
