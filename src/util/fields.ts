import { z } from 'zod';
import { durationMs, MAX_DURATION_MS, TOO_LONG } from './duration.js';

const POSITIVE_INT = 'must be a positive integer';

/** A positive integer whose every failure (wrong type, fraction, zero) reads the same. */
export function positiveInt(): z.ZodNumber {
  return z.number({ error: POSITIVE_INT }).int(POSITIVE_INT).positive(POSITIVE_INT);
}

/**
 * The most VUs a run may have. The design point is 1 000 000 idle VUs on one machine (1.4–3 KB
 * each, under 2–3 GB); twice that leaves room for a cluster. A larger count is almost always a
 * typo (an extra zero or three) that would eat the machine's memory before the first window.
 */
export const MAX_VUS = 2_000_000;
/** More iterations than a week-long run at 1.6 M operations a second starts: a typo, not a plan. */
export const MAX_ITERATIONS = 1e12;
/** Arrivals per second: each is scheduled one by one, and 10 M/s already takes a core just to drop them. */
export const MAX_RATE_PER_S = 10_000_000;
/** Threads beyond the cores only contend, and each costs tens of MB. */
export const MAX_WORKERS = 1024;
/** Alternating blocks: each is a separate start and stop of every provider. */
export const MAX_BLOCKS = 1000;

export const atMost = (bound: number, what = ''): string => `must be at most ${bound.toLocaleString('en-US')}${what}`;

/** A VU count: a positive integer up to MAX_VUS. */
export function vuCount(): z.ZodNumber {
  return positiveInt().max(MAX_VUS, atMost(MAX_VUS, ' VUs'));
}

/** An iteration count: a positive integer up to MAX_ITERATIONS. */
export function iterationCount(): z.ZodNumber {
  return positiveInt().max(MAX_ITERATIONS, atMost(MAX_ITERATIONS, ' iterations'));
}

/** Worker threads: 0 runs in-process. */
export function workerCount(): z.ZodNumber {
  return z.number().int().min(0, 'must be 0 (in-process) or more').max(MAX_WORKERS, atMost(MAX_WORKERS, ' worker threads'));
}

/** Milliseconds as a resolved profile holds them: positive, at most a week. */
export const msSchema = z.number().positive('must be a positive duration (e.g. 30s, 2m)').max(MAX_DURATION_MS, TOO_LONG);
/** Milliseconds that may be 0 (a start offset, an instant step, drop at once). */
export const msOrZeroSchema = z.number().min(0, 'must be 0 or a positive duration (e.g. 30s, 2m)').max(MAX_DURATION_MS, TOO_LONG);

const durationText = z
  .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?(ms|s|m|h)?\s*$/, 'must be a duration such as 500ms, 30s, 2m or 1h')])
  .transform(durationMs);
/**
 * A duration as a scenario writes it (`500ms`, `30s`, `2m`, `1h`, or a number of seconds),
 * validated into milliseconds: nothing after validation parses a duration again.
 */
export const durationMsSchema = durationText.pipe(msSchema);
/** A duration that may be 0 (`0`, `0s`), into milliseconds. */
export const durationOrZeroMsSchema = durationText.pipe(msOrZeroSchema);

/** A name of something a report shows (a provider, an operation, a scenario). */
export const name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

export const NUL = 'must not contain a NUL byte';
export const noNul = (text: string): boolean => !text.includes('\0');
