import { z } from 'zod';
import { durationSchema, atMost, MAX_VUS } from '../util/fields.js';
import { parseDuration } from '../util/duration.js';
import { type PhasePlan, stagePhases, stagesSchema } from './stages.js';
import { allowOverrides, type ProfileDefinition } from './types.js';
import { peakOfPlan, planShares, runVuPlan, sharePeak, type VuPlanShare, type VuPoint } from './vu-plan.js';

const VU_COUNT = 'must be 0 or a positive integer';
const vuCount = z.number({ error: VU_COUNT }).int(VU_COUNT).min(0, VU_COUNT).max(MAX_VUS, atMost(MAX_VUS, ' VUs'));
const DEFAULT_SLO_P95 = '500ms';

export const schema = z
  .strictObject({
    type: z.literal('ramping-vus'),
    startVUs: vuCount.optional(),
    stages: stagesSchema(vuCount),
    thinkTime: durationSchema.optional(),
    /** The p95 a step must stay under to count toward the concurrent-user capacity. */
    sloP95: durationSchema.optional(),
  })
  .refine((c) => Math.max(c.startVUs ?? 0, ...c.stages.map((s) => s.target)) > 0, {
    message: 'at least one stage must target more than 0 VUs',
    path: ['stages'],
  });
type Config = z.infer<typeof schema>;

function points(config: Config): VuPoint[] {
  const out: VuPoint[] = [{ atMs: 0, vus: config.startVUs ?? 0 }];
  for (const phase of stagePhases(config.stages, 'profile.stages')) out.push({ atMs: phase.endMs, vus: phase.target! });
  return out;
}

/** VUs move linearly from stage to stage (k6's ramping-vus); each stage is a reported phase. */
export const rampingVus: ProfileDefinition<Config, VuPlanShare> = {
  type: 'ramping-vus',
  schema,
  closedModel: true,
  override(config, o) {
    allowOverrides('ramping-vus', o, ['stages']);
    return o.stages ? { ...config, stages: o.stages } : config;
  },
  peakVus: (config) => peakOfPlan(points(config)),
  sharePeakVus: sharePeak,
  split(config, weights) {
    const thinkMs = config.thinkTime ? parseDuration(config.thinkTime, 'profile.thinkTime') : 0;
    return planShares(points(config), weights, thinkMs);
  },
  durationMs: (config) => points(config).at(-1)!.atMs,
  phases: (config): PhasePlan[] => stagePhases(config.stages, 'profile.stages'),
  analysis: (config) => ({ kind: 'ramp', sloP95Ms: parseDuration(config.sloP95 ?? DEFAULT_SLO_P95, 'profile.sloP95') }),
  run: runVuPlan,
};
