import { z } from 'zod';
import { positiveInt } from './fields.js';
import { name, providerConfigSchema } from './schema.js';

/** `stampede bench <config>`: the providers to benchmark and the suite's sizes. */
export const benchConfigSchema = z.strictObject({
  name: name.optional(),
  providers: z.array(providerConfigSchema).min(1, 'must list at least one provider'),
  suite: z
    .strictObject({
      simpleQueryIterations: positiveInt().optional(),
      transactionIterations: positiveInt().optional(),
      connectionIterations: positiveInt().optional(),
      concurrentWorkers: positiveInt().optional(),
      concurrentIterations: positiveInt().optional(),
    })
    .optional(),
  options: z
    .strictObject({
      workers: z.number().int().min(0, 'must be 0 (in-process) or more').optional(),
      /** Alternating blocks per test (default: up to 10). */
      blocks: positiveInt().optional(),
    })
    .optional(),
});
export type BenchConfig = z.infer<typeof benchConfigSchema>;
