import { z } from 'zod';
import { durationMsSchema } from '../util/fields.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/**
 * One stage of a ramping profile, resolved: move linearly to `target` over `durationMs`. The
 * target is in the profile's unit: VUs (ramping-vus) or arrivals a second (ramping-arrival-rate).
 */
export interface Stage {
  durationMs: number;
  target: number;
}

/** Stages as a scenario writes them (`{duration, target}`), resolved into milliseconds. */
export function stagesSchema(target: z.ZodNumber, duration: typeof durationMsSchema = durationMsSchema) {
  return z
    .array(z.strictObject({ duration, target }).transform((s): Stage => ({ durationMs: s.duration, target: s.target })))
    .min(1, 'must list at least one stage');
}

/** Resolved stages, for checking them again after `--stages`. */
export function resolvedStagesSchema(target: z.ZodNumber, durationMs: z.ZodNumber) {
  return z.array(z.strictObject({ durationMs, target })).min(1, 'must list at least one stage');
}

/** A stretch of a profile reported on its own; `target` is the stage's VUs or rate. */
export interface PhasePlan {
  name: string;
  startMs: number;
  endMs: number;
  target?: number;
}

/**
 * Stages as phases `stage-1`, `stage-2`, … with their planned start, end and target. An
 * instant stage (0 ms: a step) has no time of its own, so it is no phase; the others keep
 * their place in the list as their number.
 */
export function stagePhases(stages: readonly Stage[]): PhasePlan[] {
  let t = 0;
  return stages.flatMap((s, i) => {
    const startMs = t;
    t += s.durationMs;
    return s.durationMs > 0 ? [{ name: `stage-${i + 1}`, startMs, endMs: t, target: s.target }] : [];
  });
}

/** `--stages 30s:10,1m:50,30s:0` → stages; a malformed list is one clear line. */
export function parseStagesFlag(text: string): Stage[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^:\s]+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new UserError(`--stages: "${part}" is not duration:target (e.g. 30s:10,1m:50,30s:0)`);
    return { durationMs: parseDuration(m[1]!, `--stages "${part}"`), target: Number(m[2]) };
  });
}
