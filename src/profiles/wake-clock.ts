import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * Node's timers wake the event loop only to the millisecond, and a thread that naps in
 * Atomics.wait for a finer wait reads no reply meanwhile, so every reply waits out the nap and
 * the tool adds its own time to what it reports. A clock thread waits instead: with
 * Atomics.wait's sub-millisecond timeout it sleeps until the asked time, then notifies the
 * asking thread, whose Atomics.waitAsync reaches its event loop as a task. Until then that loop
 * sleeps in its poll for I/O, so replies are read as they come, and the wait costs it no CPU.
 *
 * Cells: [0] counts the clock's wakes, [1] counts requests, [2] is 1 once the clock runs.
 * `due` holds the requested time (ms since the epoch, as performance.timeOrigin + now()).
 */
const CLOCK = `
const { workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const cells = new Int32Array(workerData.cells);
const due = new Float64Array(workerData.due);
Atomics.store(cells, 2, 1);
let served = 0;
for (;;) {
  const request = Atomics.load(cells, 1);
  const wait = request === served ? Infinity : due[0] - (performance.timeOrigin + performance.now());
  if (wait <= 0) {
    served = request;
    Atomics.add(cells, 0, 1);
    Atomics.notify(cells, 0);
  } else Atomics.wait(cells, 1, request, wait);
}
`;

/** Atomics.waitAsync (Node 16+), missing from the TypeScript lib this project targets. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(this: void, cells: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

/**
 * How long before a time to ask for it, at least and at most (ms). A wake crosses threads, and the
 * asking thread may sleep in its poll meanwhile: on a VM that takes 100–150 µs (measured here:
 * p50 124 µs, where a loop yielding with setImmediate comes within 2 µs), on bare metal tens.
 */
const MIN_LEAD_MS = 0.05;
const MAX_LEAD_MS = 0.25;
/** Weight of each new lateness in the running mean the lead follows. */
const LATENESS_WEIGHT = 1 / 16;

export class WakeClock {
  /**
   * How long before its time a caller asks (ms): the running mean of how late wakes came,
   * within bounds. The caller yields turn after turn for the rest, reading replies meanwhile.
   */
  lead = MIN_LEAD_MS;
  private lateness = MIN_LEAD_MS / 2;
  private readonly cells = new Int32Array(new SharedArrayBuffer(12));
  private readonly due = new Float64Array(new SharedArrayBuffer(8));
  private readonly thread: Worker;
  /** The earliest wake asked for and not yet given (epoch ms), and the promise it resolves. */
  private asked = Infinity;
  private woken: Promise<unknown> | undefined;

  constructor() {
    this.thread = new Worker(CLOCK, { eval: true, workerData: { cells: this.cells.buffer, due: this.due.buffer } });
    // A pending Atomics.waitAsync does not keep the event loop alive: the clock does, while asked.
    this.thread.unref();
  }

  /** False until the clock thread runs (its first tens of milliseconds). */
  get ready(): boolean {
    return Atomics.load(this.cells, 2) === 1;
  }

  /**
   * Resolves at `at` (performance.now() time of this thread) or a little after (the clock's
   * wake-up, tens of microseconds), or sooner when another caller on this thread asked for an
   * earlier time: callers check the time again.
   */
  wakeAt(at: number): Promise<unknown> {
    const epochMs = performance.timeOrigin + at;
    if (this.woken && this.asked <= epochMs) return this.woken;
    const seen = Atomics.load(this.cells, 0);
    this.asked = epochMs;
    this.due[0] = epochMs;
    Atomics.add(this.cells, 1, 1);
    Atomics.notify(this.cells, 1);
    if (this.woken) return this.woken;
    this.thread.ref();
    const wait = waitAsync(this.cells, 0, seen);
    return (this.woken = (typeof wait.value === 'string' ? Promise.resolve() : wait.value).then(this.given));
  }

  private readonly given = (): void => {
    const late = performance.timeOrigin + performance.now() - this.asked;
    // A wake before the asked time is another caller's: it says nothing of the clock.
    if (late >= 0) {
      this.lateness += (late - this.lateness) * LATENESS_WEIGHT;
      this.lead = Math.min(Math.max(this.lateness, MIN_LEAD_MS), MAX_LEAD_MS);
    }
    this.woken = undefined;
    this.asked = Infinity;
    this.thread.unref();
  };
}

let clock: WakeClock | undefined;

/** This thread's clock, started on first use. */
export function wakeClock(): WakeClock {
  return (clock ??= new WakeClock());
}
