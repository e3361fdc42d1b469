import { z } from 'zod';
import { providerConfigSchema } from '../providers/config.js';
import { atMost, iterationCount, MAX_BLOCKS, name, positiveInt, vuCount, workerCount } from '../util/fields.js';

/** `stampede bench <config>`: the providers to benchmark and the suite's sizes. */
export const benchConfigSchema = z.strictObject({
  name: name.optional(),
  providers: z.array(providerConfigSchema).min(1, 'must list at least one provider'),
  suite: z
    .strictObject({
      simpleQueryIterations: iterationCount().optional(),
      transactionIterations: iterationCount().optional(),
      connectionIterations: iterationCount().optional(),
      concurrentWorkers: vuCount().optional(),
      concurrentIterations: iterationCount().optional(),
    })
    .optional(),
  options: z
    .strictObject({
      workers: workerCount().optional(),
      /** Alternating blocks per test (default: up to 10). */
      blocks: positiveInt().max(MAX_BLOCKS, atMost(MAX_BLOCKS)).optional(),
    })
    .optional(),
});
