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
 * Synchronous operations (better-sqlite3) never give the event loop a turn on their own; a VU
 * yields after this many in a row so that window timers, stop messages and other VUs run.
 */
const SYNC_OPS_PER_YIELD = 512;

/** The worker-side state a profile drives: VUs, the clock, and the stop signal. */
export class Runtime {
  stopping = false;
  /** VUs running and not told to stop (a retiring VU still finishes its operation). */
  activeVUs = 0;
  /** Open model: VUs busy now, and the most busy at once since the last window (it tracks them itself). */
  busyVUs = 0;
  peakVUs = 0;
  /** Closed model: [elapsedMs, activeVUs] after each start or retirement since the last window. */
  private changes: number[] = [];
  /**
   * When set, VU starts and retirements are stamped with this planned time instead of the
   * clock, so a plan step whose timer fires a little late stays in the window it was planned for.
   */
  plannedAt: number | undefined;
  private level = 0;
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

  /**
   * Starts one VU looping over the workload until it is stopped or the budget runs out,
   * pausing `thinkMs` between operations (an idle VU costs a timer, not a thread).
   */
  startVu(budget: Budget = { remaining: Infinity }, thinkMs = 0): Vu {
    const vu = { stopped: this.stopping } as { stopped: boolean; done: Promise<void> };
    this.vus.add(vu);
    vu.done = this.vuLoop(vu, budget, thinkMs);
    return vu;
  }

  private async vuLoop(vu: Vu, budget: Budget, thinkMs: number): Promise<void> {
    const { ops, pick, recorder } = this;
    let syncRun = 0;
    this.activeVUs++;
    this.noteChange();
    try {
      while (!vu.stopped && budget.remaining > 0) {
        budget.remaining--;
        const op = pick();
        let isAsync = false;
        const t0 = process.hrtime.bigint();
        try {
          const result = ops[op]!();
          if (result instanceof Promise) {
            isAsync = true;
            await result;
          }
          recorder.ok(op, process.hrtime.bigint() - t0);
        } catch (err) {
          recorder.error(op, err);
        }
        if (thinkMs > 0) await this.sleep(thinkMs);
        else if (isAsync) syncRun = 0;
        else if (++syncRun === SYNC_OPS_PER_YIELD) {
          syncRun = 0;
          await yieldToEventLoop();
        }
      }
    } finally {
      // A VU whose budget ran out retires itself.
      this.retire(vu);
      this.vus.delete(vu);
    }
  }

  /** Tells a VU to stop after its in-flight operation; from now on it no longer counts as active. */
  retire(vu: Vu): void {
    if (vu.stopped) return;
    vu.stopped = true;
    this.activeVUs--;
    this.noteChange();
  }

  /** Retires the VUs and waits for their in-flight operations. */
  async stopVus(vus: readonly Vu[]): Promise<void> {
    for (const vu of vus) this.retire(vu);
    await Promise.all(vus.map((vu) => vu.done));
  }

  private noteChange(): void {
    this.changes.push(this.plannedAt ?? this.elapsed(), this.activeVUs);
  }

  /**
   * The most VUs active at once in the window [startMs, endMs). Changes are placed by their
   * time, so a step planned at a window boundary lands in the window it belongs to whichever
   * timer fires first.
   */
  windowPeak(startMs: number, endMs: number): number {
    let i = 0;
    // A change stamped at the window's first millisecond is the level the window starts with.
    for (; i < this.changes.length && this.changes[i]! <= startMs; i += 2) this.level = this.changes[i + 1]!;
    let peak = Math.max(this.level, this.peakVUs);
    for (; i < this.changes.length && this.changes[i]! < endMs; i += 2) {
      this.level = this.changes[i + 1]!;
      if (this.level > peak) peak = this.level;
    }
    this.changes.splice(0, i);
    this.peakVUs = this.busyVUs;
    return peak;
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
    for (const vu of this.vus) this.retire(vu);
    for (const wake of [...this.wakers]) wake();
  }
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
