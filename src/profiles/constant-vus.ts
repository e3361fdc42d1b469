import { z } from 'zod';
import { splitInteger } from '../util/split.js';
import { durationMsSchema, msOrZeroSchema, msSchema, vuCount } from '../util/fields.js';
import type { ProfileDefinition } from './types.js';

const resolved = z.strictObject({
  type: z.literal('constant-vus'),
  vus: vuCount(),
  durationMs: msSchema,
  /** Pause between a VU's operations: many mostly idle users, as real clients are. */
  thinkMs: msOrZeroSchema,
});
export type ConstantVus = z.infer<typeof resolved>;

export const schema = z
  .strictObject({
    type: z.literal('constant-vus'),
    vus: vuCount(),
    duration: durationMsSchema,
    thinkTime: durationMsSchema.optional(),
  })
  .transform((c): ConstantVus => ({ type: c.type, vus: c.vus, durationMs: c.duration, thinkMs: c.thinkTime ?? 0 }));

interface Share {
  vus: number;
  durationMs: number;
  thinkMs: number;
}

/** A fixed number of VUs, each looping over the workload for the whole duration. */
export const constantVus: ProfileDefinition<ConstantVus, Share> = {
  type: 'constant-vus',
  resolved,
  closedModel: true,
  overrides: ['vus', 'durationMs'],
  override: (config, o) => ({ ...config, vus: o.vus ?? config.vus, durationMs: o.durationMs ?? config.durationMs }),
  peakVus: (config) => config.vus,
  sharePeakVus: (share) => share.vus,
  split: (config, weights) =>
    splitInteger(config.vus, weights).map((vus) => ({ vus, durationMs: config.durationMs, thinkMs: config.thinkMs })),
  durationMs: (config) => config.durationMs,
  slice(config, blocks) {
    return splitInteger(
      config.durationMs,
      Array.from({ length: blocks }, () => 1),
    ).map((part) => ({ ...config, durationMs: Math.max(1, part) }));
  },
  async run(share, runtime) {
    // Stamped with their planned times, so a late timer leaves the start and the end in their windows.
    runtime.plannedAt = 0;
    const vus = Array.from({ length: share.vus }, () => runtime.startVu(undefined, share.thinkMs));
    runtime.plannedAt = undefined;
    await runtime.sleepUntil(share.durationMs);
    runtime.plannedAt = share.durationMs;
    const stopped = runtime.stopVus(vus);
    runtime.plannedAt = undefined;
    await stopped;
  },
};
