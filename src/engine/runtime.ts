import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Recorder } from '../metrics/recorder.js';
import type { Executable } from '../providers/types.js';

/** Iterations still to start, shared by the VUs that draw from it. */
export interface Budget {
  remaining: number;
}

export interface Vu {
  stopped: boolean;
  readonly done: Promise<void>;
}

/**
 * Synchronous operations (better-sqlite3), and promises that settle without I/O (a SQLite
 * session's transaction), never give the event loop a turn on their own; a VU yields after this
 * many operations so that window timers, stop messages and other VUs run.
 */
const SYNC_OPS_PER_YIELD = 512;

/** The worker-side state a profile drives: VUs, the clock, and the stop signal. */
export class Runtime {
  stopping = false;
  activeVUs = 0;
  /** The most VUs active at once since the last window was flushed. */
  peakVUs = 0;
  phase = 'main';
  private readonly wakers = new Set<() => void>();
  private readonly vus = new Set<Vu>();

  constructor(
    readonly ops: readonly Executable[],
    readonly pick: () => number,
    readonly recorder: Recorder,
    /** Epoch milliseconds at which the run started, common to every worker. */
    readonly startAt: number,
  ) {}

  /** Starts one VU looping over the workload until it is stopped or the budget runs out. */
  startVu(budget: Budget = { remaining: Infinity }): Vu {
    const vu = { stopped: this.stopping } as { stopped: boolean; done: Promise<void> };
    this.vus.add(vu);
    vu.done = this.vuLoop(vu, budget);
    return vu;
  }

  private async vuLoop(vu: Vu, budget: Budget): Promise<void> {
    const { ops, pick, recorder } = this;
    let syncRun = 0;
    if (++this.activeVUs > this.peakVUs) this.peakVUs = this.activeVUs;
    try {
      while (!vu.stopped && budget.remaining > 0) {
        budget.remaining--;
        const op = pick();
        const t0 = process.hrtime.bigint();
        try {
          const result = ops[op]!();
          if (result instanceof Promise) await result;
          recorder.ok(op, process.hrtime.bigint() - t0);
        } catch (err) {
          recorder.error(op, err);
        }
        if (++syncRun === SYNC_OPS_PER_YIELD) {
          syncRun = 0;
          await yieldToEventLoop();
        }
      }
    } finally {
      this.activeVUs--;
      this.vus.delete(vu);
    }
  }

  /** Milliseconds since the common start. */
  elapsed(): number {
    return Date.now() - this.startAt;
  }

  /** Sleeps until `offsetMs` after the start, or until the run is stopped. */
  sleepUntil(offsetMs: number): Promise<void> {
    return this.sleep(this.startAt + offsetMs - Date.now());
  }

  sleep(ms: number): Promise<void> {
    if (this.stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Graceful stop: no VU starts another operation; in-flight ones finish and are counted. */
  stop(): void {
    this.stopping = true;
    for (const vu of this.vus) vu.stopped = true;
    for (const wake of [...this.wakers]) wake();
  }
}

/** Stops the VUs and waits for their in-flight operations. */
export async function stopVus(vus: readonly Vu[]): Promise<void> {
  for (const vu of vus) vu.stopped = true;
  await Promise.all(vus.map((vu) => vu.done));
}

/** A weighted choice of operation; a single-operation workload skips the random draw. */
export function weightedPicker(weights: readonly number[]): () => number {
  if (weights.length === 1) return () => 0;
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const last = cumulative.length - 1;
  return () => {
    const r = Math.random();
    for (let i = 0; i < last; i++) if (r < cumulative[i]!) return i;
    return last;
  };
}
