import type { z } from 'zod';
import type { Recorder } from '../metrics/recorder.js';
import type { Executable, VuContext } from '../providers/types.js';
import type { PhasePlan, Stage } from './stages.js';

/** Values from CLI flags that override the scenario's profile, resolved as the profile's own are. */
export interface ProfileOverrides {
  vus?: number;
  durationMs?: number;
  /** Arrivals per the profile's time unit. */
  rate?: number;
  /** Targets in the profile's unit (VUs, or arrivals per its time unit). */
  stages?: Stage[];
}

/** What the report works out from the phases: a spike's recovery or a ramp's capacity. */
export type ProfileAnalysis = { kind: 'spike' } | { kind: 'ramp'; sloP95Ms: number };

/**
 * One load profile (executor), k6-style: its config, validated once into resolved values
 * (milliseconds, VUs, arrivals a second), its split on the coordinator and its run inside a
 * worker are kept apart. Nothing after validation parses a duration again.
 */
export interface ProfileDefinition<Config extends { type: string }, Share> {
  readonly type: Config['type'];
  /** The resolved config's bounds: a config that CLI flags changed is checked against them again. */
  readonly resolved: z.ZodType<Config>;
  /** How error messages name the profile, when not by its type. */
  readonly label?: string;
  /** True for VU-based profiles: the report then says the closed model hides queueing delay. */
  readonly closedModel: boolean;
  /** The CLI flags that mean something to this profile; any other is an error, never ignored. */
  readonly overrides: ReadonlyArray<keyof ProfileOverrides>;
  /** Applies the allowed CLI flags to the resolved config. */
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

/** Iterations still to start, shared by the VUs that draw from it. */
export interface Budget {
  remaining: number;
}

/** Something that takes turns on the thread (a VU, an arrival loop); `wake` ends its wait early. */
export interface Turn {
  wake?: () => void;
}

export interface Vu extends Turn {
  stopped: boolean;
  readonly done: Promise<void>;
  /** Ends the VU's think time, or its wait for the thread, early when it is retired. */
  wake?: () => void;
}

/** One caller's runs of back-to-back operations on the thread it shares with every other caller. */
export interface Turns {
  /** After each operation: undefined to go on, or a promise to await and then `restart()`. */
  next(): Promise<void> | undefined;
  /** The thread was free meanwhile (a wait for the turn, a sleep): a new run starts now. */
  restart(): void;
}

/**
 * What a profile's executor drives inside a worker (the engine implements it): the workload,
 * VUs, the run's clock, the stop signal, turns on the thread, and the open model's counts.
 */
export interface Runtime {
  /** The compiled workload, and the weighted choice of its next operation. */
  readonly ops: readonly Executable[];
  /** The next operation's index, drawn from the VU's stream. */
  readonly pick: (random: () => number) => number;
  readonly recorder: Recorder;
  /** Epoch milliseconds at which this runtime's clock starts (the run's common start, or a scenario's). */
  readonly startAt: number;
  /** The run is stopping: start nothing more. */
  readonly stopping: boolean;
  /**
   * When set, VU starts and retirements are stamped with this planned time (on this runtime's
   * clock) instead of the clock, so a plan step whose timer fires a little late stays in the
   * window it was planned for.
   */
  set plannedAt(ms: number | undefined);
  /** The same runtime with its clock starting `offsetMs` later: a scenario with a start offset. */
  shifted(offsetMs: number): Runtime;
  /** Open model: the VU context (id, seeded stream) an arrival loop's operations run for, and its return. */
  takeVu(): VuContext;
  releaseVu(vu: VuContext): void;
  /** Starts one VU looping over the workload until it is retired or the budget runs out. */
  startVu(budget?: Budget, thinkMs?: number): Vu;
  /** Tells a VU to stop after its in-flight operation. */
  retire(vu: Vu): void;
  /** Retires the VUs and waits for their in-flight operations. */
  stopVus(vus: readonly Vu[]): Promise<void>;
  /** Sleeps until `offsetMs` after the start, or until the run is stopped. */
  sleepUntil(offsetMs: number): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Back-to-back work by one caller, taking turns on the thread with every other one. */
  turns(turn: Turn): Turns;
  /** Open model: one more (+1) or one fewer (−1) VU busy. */
  busy(delta: number): void;
  /** Open model: says when an arrival loop's next arrival is due, so its window waits for it. */
  arrivalsDue(): (ms: number) => void;
  /** A promise when work planned for `ms` must wait for a late window timer; undefined otherwise. */
  heldBack(ms: number): Promise<void> | undefined;
}
