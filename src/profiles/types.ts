import type { z } from 'zod';
import type { Runtime } from '../engine/runtime.js';
import { UserError } from '../errors.js';
import type { PhasePlan, Stage } from './stages.js';

/** Values from CLI flags that override the scenario's profile. */
export interface ProfileOverrides {
  vus?: number;
  durationMs?: number;
  /** Arrivals per the profile's time unit. */
  rate?: number;
  stages?: Stage[];
}

const FLAGS: Record<keyof ProfileOverrides, string> = { vus: '--vus', durationMs: '--duration', rate: '--rate', stages: '--stages' };

/** A flag that means nothing to the profile is an error, never silently ignored. */
export function allowOverrides(type: string, overrides: ProfileOverrides, allowed: Array<keyof ProfileOverrides>): void {
  for (const key of Object.keys(FLAGS) as Array<keyof ProfileOverrides>) {
    if (overrides[key] !== undefined && !allowed.includes(key)) {
      throw new UserError(
        `${FLAGS[key]} does not apply to profile "${type}"${allowed.length ? ` (it takes ${allowed.map((k) => FLAGS[k]).join(', ')})` : ''}`,
      );
    }
  }
}

/** What the report works out from the phases: a spike's recovery or a ramp's capacity. */
export type ProfileAnalysis = { kind: 'spike' } | { kind: 'ramp'; sloP95Ms: number };

/**
 * One load profile (executor), k6-style: its config schema, its validation and split on the
 * coordinator, and its run inside a worker are kept apart.
 */
export interface ProfileDefinition<Config extends { type: string }, Share> {
  readonly type: Config['type'];
  readonly schema: z.ZodType<Config>;
  /** True for VU-based profiles: the report then says the closed model hides queueing delay. */
  readonly closedModel: boolean;
  /** Applies CLI flags; a flag that means nothing to this profile is an error. */
  override(config: Config, overrides: ProfileOverrides): Config;
  /** VUs the profile needs at its peak, to size pools and cap the worker count. */
  peakVus(config: Config): number;
  /** VUs one share needs at its peak: sizes that worker's connection pool. */
  sharePeakVus(share: Share): number;
  /** Splits the profile across workers in proportion to `weights`, exactly. */
  split(config: Config, weights: readonly number[]): Share[];
  /** Planned length, or undefined when it runs until its iterations are done. */
  durationMs(config: Config): number | undefined;
  /** The labelled stretches of the run, reported on their own; none for a one-phase profile. */
  phases?(config: Config): PhasePlan[];
  analysis?(config: Config): ProfileAnalysis;
  /** Cuts the profile into `blocks` consecutive parts that together make the whole (for interleaving). */
  slice?(config: Config, blocks: number): Config[];
  /** Runs one worker's share. */
  run(share: Share, runtime: Runtime): Promise<void>;
}
