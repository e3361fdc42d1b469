import { z } from 'zod';
import { durationMs, MAX_DURATION_MS, TOO_LONG } from '../util/duration.js';

/** A duration in a scenario: `500ms`, `30s`, `2m`, `1h`, or a number of seconds; at most a week. */
export const durationSchema = z.union([
  z
    .number()
    .positive('must be a positive duration (e.g. 30s, 2m)')
    .max(MAX_DURATION_MS / 1000, TOO_LONG),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?(ms|s|m|h)?\s*$/, 'must be a duration such as 500ms, 30s, 2m or 1h')
    .refine((text) => durationMs(text) <= MAX_DURATION_MS, TOO_LONG),
]);
