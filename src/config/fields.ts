import { z } from 'zod';

const POSITIVE_INT = 'must be a positive integer';

/** A positive integer whose every failure (wrong type, fraction, zero) reads the same. */
export function positiveInt(): z.ZodNumber {
  return z.number({ error: POSITIVE_INT }).int(POSITIVE_INT).positive(POSITIVE_INT);
}
