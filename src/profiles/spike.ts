import { z } from 'zod';
import { durationMsSchema, msOrZeroSchema, msSchema, vuCount } from '../util/fields.js';
import type { PhasePlan } from './stages.js';
import type { ProfileDefinition } from './types.js';
import { peakOfPlan, planShares, runVuPlan, sharePeak, type VuPlanShare, type VuPoint } from './vu-plan.js';

// The checks name the fields as a scenario writes them (`duration`), so an error points at its line.
const resolved = z
  .strictObject({
    type: z.literal('spike'),
    /** VUs before and after the spike. */
    vus: vuCount(),
    /** VUs during the spike. */
    spikeVus: vuCount(),
    spikeStartMs: msSchema,
    spikeDurationMs: msSchema,
    durationMs: msSchema,
    thinkMs: msOrZeroSchema,
  })
  .refine((c) => c.spikeVus > c.vus, { message: 'must be more than vus', path: ['spikeVus'] })
  .refine((c) => c.spikeStartMs + c.spikeDurationMs < c.durationMs, {
    message: 'spikeStart + spikeDuration must end before duration, leaving time to recover',
    path: ['duration'],
  });
export type Spike = z.infer<typeof resolved>;

export const schema = z
  .strictObject({
    type: z.literal('spike'),
    vus: vuCount(),
    spikeVus: vuCount(),
    spikeStart: durationMsSchema,
    spikeDuration: durationMsSchema,
    duration: durationMsSchema,
    thinkTime: durationMsSchema.optional(),
  })
  .transform((c): Spike => ({
    type: c.type,
    vus: c.vus,
    spikeVus: c.spikeVus,
    spikeStartMs: c.spikeStart,
    spikeDurationMs: c.spikeDuration,
    durationMs: c.duration,
    thinkMs: c.thinkTime ?? 0,
  }))
  .pipe(resolved);

function phases(config: Spike): PhasePlan[] {
  const end = config.spikeStartMs + config.spikeDurationMs;
  return [
    { name: 'before-spike', startMs: 0, endMs: config.spikeStartMs, target: config.vus },
    { name: 'spike', startMs: config.spikeStartMs, endMs: end, target: config.spikeVus },
    { name: 'recovery', startMs: end, endMs: config.durationMs, target: config.vus },
  ];
}

function points(config: Spike): VuPoint[] {
  const end = config.spikeStartMs + config.spikeDurationMs;
  return [
    { atMs: 0, vus: config.vus },
    { atMs: config.spikeStartMs, vus: config.vus },
    { atMs: config.spikeStartMs, vus: config.spikeVus },
    { atMs: end, vus: config.spikeVus },
    { atMs: end, vus: config.vus },
    { atMs: config.durationMs, vus: config.vus },
  ];
}

/** Normal load, a sudden burst of VUs, then normal load again: does the database recover? */
export const spike: ProfileDefinition<Spike, VuPlanShare> = {
  type: 'spike',
  resolved,
  closedModel: true,
  overrides: ['vus', 'durationMs'],
  override: (config, o) => ({ ...config, vus: o.vus ?? config.vus, durationMs: o.durationMs ?? config.durationMs }),
  peakVus: (config) => peakOfPlan(points(config)),
  sharePeakVus: sharePeak,
  split: (config, weights) => planShares(points(config), weights, config.thinkMs),
  durationMs: (config) => config.durationMs,
  phases,
  analysis: () => ({ kind: 'spike' }),
  run: runVuPlan,
};
