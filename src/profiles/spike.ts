import { z } from 'zod';
import { vuCount, durationSchema } from '../util/fields.js';
import { parseDuration } from '../util/duration.js';
import type { PhasePlan } from './stages.js';
import { allowOverrides, type ProfileDefinition } from './types.js';
import { peakOfPlan, planShares, runVuPlan, sharePeak, type VuPlanShare, type VuPoint } from './vu-plan.js';

export const schema = z
  .strictObject({
    type: z.literal('spike'),
    /** VUs before and after the spike. */
    vus: vuCount(),
    /** VUs during the spike. */
    spikeVus: vuCount(),
    spikeStart: durationSchema,
    spikeDuration: durationSchema,
    duration: durationSchema,
    thinkTime: durationSchema.optional(),
  })
  .refine((c) => c.spikeVus > c.vus, { message: 'must be more than vus', path: ['spikeVus'] })
  .refine((c) => ms(c.spikeStart) + ms(c.spikeDuration) < ms(c.duration), {
    message: 'spikeStart + spikeDuration must end before duration, leaving time to recover',
    path: ['duration'],
  });
type Config = z.infer<typeof schema>;

function ms(d: string | number): number {
  try {
    return parseDuration(d, 'profile');
  } catch {
    return NaN; // the field's own schema names the bad duration
  }
}

function phases(config: Config): PhasePlan[] {
  const start = parseDuration(config.spikeStart, 'profile.spikeStart');
  const end = start + parseDuration(config.spikeDuration, 'profile.spikeDuration');
  const total = parseDuration(config.duration, 'profile.duration');
  return [
    { name: 'before-spike', startMs: 0, endMs: start, target: config.vus },
    { name: 'spike', startMs: start, endMs: end, target: config.spikeVus },
    { name: 'recovery', startMs: end, endMs: total, target: config.vus },
  ];
}

function points(config: Config): VuPoint[] {
  const [before, spike, recovery] = phases(config) as [PhasePlan, PhasePlan, PhasePlan];
  return [
    { atMs: 0, vus: config.vus },
    { atMs: spike.startMs, vus: before.target! },
    { atMs: spike.startMs, vus: config.spikeVus },
    { atMs: spike.endMs, vus: config.spikeVus },
    { atMs: spike.endMs, vus: config.vus },
    { atMs: recovery.endMs, vus: config.vus },
  ];
}

/** Normal load, a sudden burst of VUs, then normal load again: does the database recover? */
export const spike: ProfileDefinition<Config, VuPlanShare> = {
  type: 'spike',
  schema,
  closedModel: true,
  override(config, o) {
    allowOverrides('spike', o, ['vus', 'durationMs']);
    return { ...config, ...(o.vus ? { vus: o.vus } : {}), ...(o.durationMs ? { duration: `${o.durationMs}ms` } : {}) };
  },
  peakVus: (config) => peakOfPlan(points(config)),
  sharePeakVus: sharePeak,
  split(config, weights) {
    const thinkMs = config.thinkTime ? parseDuration(config.thinkTime, 'profile.thinkTime') : 0;
    return planShares(points(config), weights, thinkMs);
  },
  durationMs: (config) => parseDuration(config.duration, 'profile.duration'),
  phases,
  analysis: () => ({ kind: 'spike' }),
  run: runVuPlan,
};
