import { z } from 'zod';
import { iterationCount, vuCount, durationSchema } from '../util/fields.js';
import { splitInteger } from '../util/split.js';
import { parseDuration } from '../util/duration.js';
import { UserError } from '../errors.js';
import { allowOverrides, type ProfileDefinition } from './types.js';

export const schema = z.strictObject({
  type: z.literal('iterations'),
  vus: vuCount(),
  iterations: iterationCount(),
  /** A safety stop for a run whose iterations never finish (a hung database). */
  maxDuration: durationSchema.optional(),
});
type Config = z.infer<typeof schema>;
interface Share {
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

const DEFAULT_MAX_MS = 10 * 60_000;

/**
 * A fixed total of iterations shared by all VUs (k6's shared-iterations): each worker gets an
 * exact share of the VUs and of the iterations, in the same proportion.
 */
export const iterations: ProfileDefinition<Config, Share> = {
  type: 'iterations',
  schema,
  closedModel: true,
  override(config, o) {
    allowOverrides('iterations', o, ['vus', 'durationMs']);
    return { ...config, ...(o.vus ? { vus: o.vus } : {}), ...(o.durationMs ? { maxDuration: `${o.durationMs}ms` } : {}) };
  },
  peakVus: (config) => config.vus,
  sharePeakVus: (share) => share.vus,
  split(config, weights) {
    const maxDurationMs = config.maxDuration ? parseDuration(config.maxDuration, 'profile.maxDuration') : DEFAULT_MAX_MS;
    const vus = splitInteger(config.vus, weights);
    const its = splitInteger(config.iterations, vus);
    return vus.map((v, i) => ({ vus: v, iterations: its[i]!, maxDurationMs }));
  },
  durationMs: () => undefined,
  slice(config, blocks) {
    if (config.iterations < blocks)
      throw new UserError(`options.interleave: ${blocks} blocks need at least as many iterations (${config.iterations})`);
    return splitInteger(
      config.iterations,
      Array.from({ length: blocks }, () => 1),
    ).map((n) => ({ ...config, iterations: n }));
  },
  async run(share, runtime) {
    const budget = { remaining: share.iterations };
    runtime.plannedAt = 0;
    const vus = Array.from({ length: share.vus }, () => runtime.startVu(budget));
    runtime.plannedAt = undefined;
    const done = Promise.all(vus.map((vu) => vu.done));
    await Promise.race([done, runtime.sleepUntil(share.maxDurationMs)]);
    await runtime.stopVus(vus);
  },
};
