import { z } from 'zod';
import { durationSchema } from '../util/fields.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/** One stage of a ramping profile: move linearly to `target` over `duration`. */
export function stagesSchema(target: z.ZodNumber) {
  return z.array(z.strictObject({ duration: durationSchema, target })).min(1, 'must list at least one stage');
}

export interface Stage {
  duration: string | number;
  target: number;
}

/** A stretch of a profile reported on its own; `target` is the stage's VUs or rate. */
export interface PhasePlan {
  name: string;
  startMs: number;
  endMs: number;
  target?: number;
}

/** Stages as phases `stage-1`, `stage-2`, … with their planned start, end and target. */
export function stagePhases(stages: readonly Stage[], where: string): PhasePlan[] {
  let t = 0;
  return stages.map((s, i) => {
    const startMs = t;
    t += parseDuration(s.duration, `${where}[${i}].duration`);
    return { name: `stage-${i + 1}`, startMs, endMs: t, target: s.target };
  });
}

/** `--stages 30s:10,1m:50,30s:0` → stages; a malformed list is one clear line. */
export function parseStagesFlag(text: string): Stage[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^:\s]+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new UserError(`--stages: "${part}" is not duration:target (e.g. 30s:10,1m:50,30s:0)`);
    parseDuration(m[1]!, `--stages "${part}"`);
    return { duration: m[1]!, target: Number(m[2]) };
  });
}
