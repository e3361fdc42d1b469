import { z } from 'zod';

/** A duration in a scenario: `500ms`, `30s`, `2m`, `1h`, or a number of seconds. */
export const durationSchema = z.union([
  z.number().positive('must be a positive duration (e.g. 30s, 2m)'),
  z.string().regex(/^\s*\d+(\.\d+)?(ms|s|m|h)?\s*$/, 'must be a duration such as 500ms, 30s, 2m or 1h'),
]);
