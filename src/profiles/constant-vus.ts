import { z } from 'zod';
import { splitInteger } from '../util/split.js';
import { vuCount, durationSchema } from '../util/fields.js';
import { parseDuration } from '../util/duration.js';
import { allowOverrides, type ProfileDefinition } from './types.js';

export const schema = z.strictObject({
  type: z.literal('constant-vus'),
  vus: vuCount(),
  duration: durationSchema,
  /** Pause between a VU's operations: many mostly idle users, as real clients are. */
  thinkTime: durationSchema.optional(),
});
type Config = z.infer<typeof schema>;
interface Share {
  vus: number;
  durationMs: number;
  thinkMs: number;
}

/** A fixed number of VUs, each looping over the workload for the whole duration. */
export const constantVus: ProfileDefinition<Config, Share> = {
  type: 'constant-vus',
  schema,
  closedModel: true,
  override(config, o) {
    allowOverrides('constant-vus', o, ['vus', 'durationMs']);
    return { ...config, ...(o.vus ? { vus: o.vus } : {}), ...(o.durationMs ? { duration: `${o.durationMs}ms` } : {}) };
  },
  peakVus: (config) => config.vus,
  sharePeakVus: (share) => share.vus,
  split(config, weights) {
    const durationMs = parseDuration(config.duration, 'profile.duration');
    const thinkMs = config.thinkTime ? parseDuration(config.thinkTime, 'profile.thinkTime') : 0;
    return splitInteger(config.vus, weights).map((vus) => ({ vus, durationMs, thinkMs }));
  },
  durationMs: (config) => parseDuration(config.duration, 'profile.duration'),
  slice(config, blocks) {
    const ms = parseDuration(config.duration, 'profile.duration');
    return splitInteger(
      ms,
      Array.from({ length: blocks }, () => 1),
    ).map((part) => ({ ...config, duration: `${Math.max(1, part)}ms` }));
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
