import { createHistogram, performance } from 'node:perf_hooks';
import type { Turn, Turns } from '../profiles/types.js';

/**
 * Synchronous operations (better-sqlite3), and promises that settle without I/O (a SQLite
 * session's transaction), never give the event loop a turn on their own. The thread's time
 * between two turns of the loop is one slice shared by everything that runs operations on it:
 * whichever VU is running when the thread has held the loop this long (ms) waits for the next
 * turn, and so does every VU behind it, so window timers and the stop run on time whatever the
 * number of VUs.
 */
export const SLICE_MS = 5;
/**
 * Within a slice, VUs take the thread in turns (first come, first served), each for a run of
 * about this long (ms), so that many VUs share it finely rather than one VU per slice.
 */
const RUN_MS = 0.1;
/** A run is at most this many operations: the clock is read at least this often. */
const MAX_RUN_OPS = 512;

interface Waiter {
  resolve: () => void;
  parkedAt: number;
  settled: boolean;
}

class ThreadSlice {
  /** When the event loop last had a turn (as far as this thread's runs can tell). */
  private startedAt = 0;
  /** An immediate is queued: it runs at the loop's next check phase, after timers and I/O. */
  private tickPending = false;
  /** Callers waiting for the thread, oldest first, from `head` on. */
  private readonly queue: Waiter[] = [];
  private head = 0;
  /** Runs ended so far: tells `letIn` whether the caller it let in handed the thread on. */
  private runsEnded = 0;
  /** How long callers waited for their turn (ns): the generator's own queue, not the database's. */
  private readonly waits = createHistogram();

  /**
   * Called after a run of operations: undefined to go on at once, or a promise that resolves
   * when the caller's turn comes again (after the loop's next turn, or after the VUs ahead of it).
   */
  endOfRun(turn: Turn, now: number): Promise<void> | undefined {
    this.runsEnded++;
    if (this.sliceUsedUp(now)) return this.park(turn, now);
    if (this.head === this.queue.length) return undefined;
    const mine = this.park(turn, now);
    this.resumeNext();
    return mine;
  }

  /** For a caller about to start (a new VU): true when it should wait, as the slice is used up or others wait. */
  mustWait(now: number): boolean {
    return this.sliceUsedUp(now) || this.head < this.queue.length;
  }

  private sliceUsedUp(now: number): boolean {
    if (this.tickPending) return now - this.startedAt >= SLICE_MS;
    // Nothing was pending, so the loop had its turn since this stretch of work began, at most a
    // run ago: the slice starts now, and the next turn is asked for.
    this.tickPending = true;
    this.startedAt = now;
    setImmediate(this.tick);
    return false;
  }

  /** A caller woken `ms` after it was due (a paused VU), as if it had waited for its turn that long. */
  waited(ms: number): void {
    this.waits.record(Math.max(1, Math.round(ms * 1e6)));
  }

  /** p99 of the waits for the thread since the last call, in µs (0 when nobody waited). */
  takeWaitP99Us(): number {
    const p99 = this.waits.count > 0 ? this.waits.percentile(99) : 0;
    this.waits.reset();
    return Math.round(p99 / 1000);
  }

  private readonly tick = (): void => {
    this.startedAt = performance.now();
    this.letIn();
    // While callers wait, every turn of the loop lets more in, even if those let in stop on I/O
    // or end without handing the thread on.
    this.tickPending = this.head < this.queue.length;
    if (this.tickPending) setImmediate(this.tick);
  };

  /**
   * Lets the oldest waiter in; once its turn has run (the microtask after its continuation), lets
   * the next one in if it did not hand the thread on itself (a VU that pauses between operations,
   * or stops on I/O, never does), while the slice lasts. Otherwise 100 000 VUs that think between
   * operations would take 100 000 turns of the loop to start.
   */
  private readonly letIn = (): void => {
    if (this.head === this.queue.length || performance.now() - this.startedAt >= SLICE_MS) return;
    const runsEnded = this.runsEnded;
    this.resumeNext();
    queueMicrotask(() => {
      if (this.runsEnded === runsEnded) this.letIn();
    });
  };

  private park(turn: Turn, now: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, parkedAt: now, settled: false };
      this.queue.push(waiter);
      // A VU retired while it waits leaves at once; its wait is not the thread's.
      turn.wake = () => this.settle(waiter, false);
    });
  }

  private resumeNext(): void {
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head++]!;
      if (!waiter.settled) {
        this.settle(waiter, true);
        break;
      }
    }
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private settle(waiter: Waiter, waited: boolean): void {
    if (waiter.settled) return;
    waiter.settled = true;
    if (waited) this.waits.record(Math.max(1, Math.round((performance.now() - waiter.parkedAt) * 1e6)));
    waiter.resolve();
  }
}

/** One per thread: every VU and arrival loop on this thread shares its slice. */
export const threadSlice = new ThreadSlice();

/**
 * One caller's runs of back-to-back operations. Each run is sized from the last one's time per
 * operation (down to one operation when each is slow), so the per-operation cost stays one
 * integer comparison and the clock is read once per run.
 */
export class Runs implements Turns {
  private count = 0;
  private length = 1;
  private startedAt = performance.now();

  constructor(private readonly turn: Turn) {}

  /** After each operation: undefined to go on, or a promise to await and then `restart()`. */
  next(): Promise<void> | undefined {
    if (++this.count !== this.length) return undefined;
    this.count = 0;
    const now = performance.now();
    this.length = Math.max(1, Math.min(MAX_RUN_OPS, Math.floor((RUN_MS * this.length) / (now - this.startedAt))));
    this.startedAt = now;
    return threadSlice.endOfRun(this.turn, now);
  }

  /** The thread was free meanwhile (a wait for the turn, a sleep): a new run starts now. */
  restart(): void {
    this.count = 0;
    this.startedAt = performance.now();
  }
}
