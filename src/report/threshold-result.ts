import { z } from 'zod';
import { THRESHOLD_METRICS } from '../config/thresholds.js';

/** One threshold checked against one provider's merged figures; limits and values in `unit` (latency µs, error rate a fraction). */
export const thresholdResultSchema = z.object({
  expression: z.string(),
  scope: z.object({ provider: z.string().optional(), operation: z.string().optional(), phase: z.string().optional() }),
  metric: z.enum(THRESHOLD_METRICS),
  comparator: z.enum(['<', '<=', '>', '>=']),
  limit: z.number(),
  unit: z.enum(['us', 'ratio', 'ops/s', 'count']),
  /** Null when nothing was measured in the scope (the phase never ran, the provider failed): the threshold fails. */
  measured: z.number().nullable(),
  ok: z.boolean(),
});
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;
