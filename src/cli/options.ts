import { InvalidArgumentError } from 'commander';
import { UserError } from '../errors.js';
import { parseStagesFlag, type Stage } from '../profiles/stages.js';
import { atMost, MAX_BLOCKS, MAX_WORKERS } from '../util/fields.js';
import { durationMs, parseDuration, TOO_LONG } from '../util/duration.js';

/** Commander argument parsers: a bad flag value is one line naming the flag, then exit 2. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !(n > 0)) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be 0 or a positive integer');
  return n;
}

export function duration(value: string): number {
  if (!(durationMs(value) > 0)) throw new InvalidArgumentError('must be a duration such as 500ms, 30s, 2m or 1h');
  try {
    return parseDuration(value, 'value');
  } catch (err) {
    if (err instanceof UserError) throw new InvalidArgumentError(TOO_LONG);
    throw err;
  }
}

/** Worker threads (0: in-process), bounded as a scenario's `options.workers` is. */
export function workerCount(value: string): number {
  const n = nonNegativeInt(value);
  if (n > MAX_WORKERS) throw new InvalidArgumentError(atMost(MAX_WORKERS));
  return n;
}

/** Alternating blocks, bounded as a scenario's `options.interleave` is. */
export function blockCount(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_BLOCKS) throw new InvalidArgumentError(atMost(MAX_BLOCKS));
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function stages(value: string): Stage[] {
  try {
    return parseStagesFlag(value);
  } catch (err) {
    if (err instanceof UserError) throw new InvalidArgumentError(err.message.replace(/^--stages: /, ''));
    throw err;
  }
}

/** A TCP port to listen on (0: any free port). */
export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError('must be a port number (0 to 65535; 0: any free port)');
  return n;
}

/** A seed, bounded as a scenario's `seed:` is. */
export function seed(value: string): number {
  const n = nonNegativeInt(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(atMost(Number.MAX_SAFE_INTEGER));
  return n;
}
