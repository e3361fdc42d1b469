import { z } from 'zod';
import { stopVus } from '../engine/runtime.js';
import { splitInteger } from '../plan/split.js';
import { positiveInt } from '../config/fields.js';
import { durationSchema } from '../config/durations.js';
import { parseDuration } from '../util/duration.js';
import type { ProfileDefinition } from './types.js';

export const schema = z.strictObject({
  type: z.literal('constant-vus'),
  vus: positiveInt(),
  duration: durationSchema,
});
type Config = z.infer<typeof schema>;
interface Share {
  vus: number;
  durationMs: number;
}

/** A fixed number of VUs, each looping over the workload for the whole duration. */
export const constantVus: ProfileDefinition<Config, Share> = {
  type: 'constant-vus',
  schema,
  closedModel: true,
  override(config, o) {
    return { ...config, ...(o.vus ? { vus: o.vus } : {}), ...(o.durationMs ? { duration: `${o.durationMs}ms` } : {}) };
  },
  peakVus: (config) => config.vus,
  sharePeakVus: (share) => share.vus,
  split(config, weights) {
    const durationMs = parseDuration(config.duration, 'profile.duration');
    return splitInteger(config.vus, weights).map((vus) => ({ vus, durationMs }));
  },
  durationMs: (config) => parseDuration(config.duration, 'profile.duration'),
  slice(config, blocks) {
    const ms = parseDuration(config.duration, 'profile.duration');
    return splitInteger(ms, Array.from({ length: blocks }, () => 1)).map((part) => ({ ...config, duration: `${Math.max(1, part)}ms` }));
  },
  async run(share, runtime) {
    const vus = Array.from({ length: share.vus }, () => runtime.startVu());
    await runtime.sleepUntil(share.durationMs);
    await stopVus(vus);
  },
};

