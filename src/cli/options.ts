import { InvalidArgumentError } from 'commander';
import { UserError } from '../errors.js';
import { parseStagesFlag, type Stage } from '../profiles/stages.js';
import { parseDuration } from '../util/duration.js';

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
  try {
    return parseDuration(value, 'value');
  } catch (err) {
    if (err instanceof UserError) throw new InvalidArgumentError('must be a duration such as 500ms, 30s, 2m or 1h');
    throw err;
  }
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
