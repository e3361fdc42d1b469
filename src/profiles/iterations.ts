import { z } from 'zod';
import { durationMsSchema, iterationCount, msSchema, vuCount } from '../util/fields.js';
import { splitInteger } from '../util/split.js';
import { UserError } from '../errors.js';
import type { ProfileDefinition } from './types.js';

const DEFAULT_MAX_MS = 10 * 60_000;

const resolved = z.strictObject({
  type: z.literal('iterations'),
  vus: vuCount(),
  iterations: iterationCount(),
  /** A safety stop for a run whose iterations never finish (a hung database). */
  maxDurationMs: msSchema,
});
export type Iterations = z.infer<typeof resolved>;

export const schema = z
  .strictObject({
    type: z.literal('iterations'),
    vus: vuCount(),
    iterations: iterationCount(),
    maxDuration: durationMsSchema.optional(),
  })
  .transform((c): Iterations => ({ type: c.type, vus: c.vus, iterations: c.iterations, maxDurationMs: c.maxDuration ?? DEFAULT_MAX_MS }));

interface Share {
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

/**
 * A fixed total of iterations shared by all VUs (k6's shared-iterations): each worker gets an
 * exact share of the VUs and of the iterations, in the same proportion.
 */
export const iterations: ProfileDefinition<Iterations, Share> = {
  type: 'iterations',
  resolved,
  closedModel: true,
  overrides: ['vus', 'durationMs'],
  override: (config, o) => ({ ...config, vus: o.vus ?? config.vus, maxDurationMs: o.durationMs ?? config.maxDurationMs }),
  peakVus: (config) => config.vus,
  sharePeakVus: (share) => share.vus,
  split(config, weights) {
    const vus = splitInteger(config.vus, weights);
    const its = splitInteger(config.iterations, vus);
    return vus.map((v, i) => ({ vus: v, iterations: its[i]!, maxDurationMs: config.maxDurationMs }));
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
