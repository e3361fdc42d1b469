import { z } from 'zod';
import { atMost, durationMsSchema, durationOrZeroMsSchema, MAX_VUS, msOrZeroSchema, msSchema } from '../util/fields.js';
import { type PhasePlan, resolvedStagesSchema, stagePhases, stagesSchema } from './stages.js';
import type { ProfileDefinition } from './types.js';
import { peakOfPlan, planShares, runVuPlan, sharePeak, type VuPlanShare, type VuPoint } from './vu-plan.js';

const VU_COUNT = 'must be 0 or a positive integer';
const vuCount = z.number({ error: VU_COUNT }).int(VU_COUNT).min(0, VU_COUNT).max(MAX_VUS, atMost(MAX_VUS, ' VUs'));
export const DEFAULT_SLO_P95_MS = 500;

const resolved = z
  .strictObject({
    type: z.literal('ramping-vus'),
    startVUs: vuCount,
    /** A 0 ms stage is an instant step: hold a plateau by following it with a stage to the same target. */
    stages: resolvedStagesSchema(vuCount, msOrZeroSchema),
    thinkMs: msOrZeroSchema,
    /** The p95 a step must stay under to count toward the concurrent-user capacity. */
    sloP95Ms: msSchema,
  })
  .refine((c) => Math.max(c.startVUs, ...c.stages.map((s) => s.target)) > 0, {
    message: 'at least one stage must target more than 0 VUs',
    path: ['stages'],
  })
  .refine((c) => c.stages.some((s) => s.durationMs > 0), { message: 'must last longer than 0 ms in total', path: ['stages'] });
export type RampingVus = z.infer<typeof resolved>;

export const schema = z
  .strictObject({
    type: z.literal('ramping-vus'),
    startVUs: vuCount.optional(),
    stages: stagesSchema(vuCount, durationOrZeroMsSchema),
    thinkTime: durationMsSchema.optional(),
    sloP95: durationMsSchema.optional(),
  })
  .transform((c): RampingVus => ({
    type: c.type,
    startVUs: c.startVUs ?? 0,
    stages: c.stages,
    thinkMs: c.thinkTime ?? 0,
    sloP95Ms: c.sloP95 ?? DEFAULT_SLO_P95_MS,
  }))
  .pipe(resolved);

function points(config: RampingVus): VuPoint[] {
  const out: VuPoint[] = [{ atMs: 0, vus: config.startVUs }];
  let atMs = 0;
  for (const s of config.stages) out.push({ atMs: (atMs += s.durationMs), vus: s.target });
  return out;
}

/** VUs move linearly from stage to stage (k6's ramping-vus); each stage is a reported phase. */
export const rampingVus: ProfileDefinition<RampingVus, VuPlanShare> = {
  type: 'ramping-vus',
  resolved,
  closedModel: true,
  overrides: ['stages'],
  override: (config, o) => ({ ...config, stages: o.stages ?? config.stages }),
  peakVus: (config) => peakOfPlan(points(config)),
  sharePeakVus: sharePeak,
  split: (config, weights) => planShares(points(config), weights, config.thinkMs),
  durationMs: (config) => points(config).at(-1)!.atMs,
  phases: (config): PhasePlan[] => stagePhases(config.stages),
  analysis: (config) => ({ kind: 'ramp', sloP95Ms: config.sloP95Ms }),
  run: runVuPlan,
};
