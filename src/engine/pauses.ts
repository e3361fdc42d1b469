import { performance } from 'node:perf_hooks';
import { SLICE_MS, threadSlice } from './thread-slice.js';

/** A VU paused between operations. */
export interface Pausing {
  /** Called when the pause is over, unless the VU ended it early meanwhile. */
  endPause(): void;
  /** False once the VU ended its pause early (retired): the queue then skips it. */
  paused: boolean;
}

/** How many wakes run between two readings of the clock. */
const WAKES_PER_CHECK = 64;

/**
 * VUs that pause between operations, woken in time order. Every pause of one length ends in the
 * order it began, so each length is a FIFO with one timer for its oldest entry: a pause costs two
 * array slots instead of a promise, a timer and closures, which is what lets 100 000 VUs that
 * think for a second fit in a few hundred bytes each. Wakes due together run in slices
 * (thread-slice.ts), so that window timers and replies are not held up behind them; how late a
 * VU was woken counts as its wait for the thread.
 */
export class Pauses {
  private readonly queues = new Map<number, PauseQueue>();

  /** Pauses `vu` for `ms`, counted from now. */
  add(vu: Pausing, ms: number): void {
    let queue = this.queues.get(ms);
    if (!queue) this.queues.set(ms, (queue = new PauseQueue()));
    vu.paused = true;
    queue.push(vu, performance.now() + ms);
  }

  /** Drops every pause (their VUs have ended them) and its timer, so nothing keeps the thread alive. */
  close(): void {
    for (const queue of this.queues.values()) queue.close();
    this.queues.clear();
  }
}

class PauseQueue {
  private readonly due: number[] = [];
  private readonly vus: Pausing[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  push(vu: Pausing, at: number): void {
    this.due.push(at);
    this.vus.push(vu);
    if (!this.timer && !this.immediate) this.arm(at);
  }

  close(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    this.due.length = this.vus.length = this.head = 0;
  }

  private arm(at: number): void {
    this.timer = setTimeout(this.wake, Math.max(0, at - performance.now()));
  }

  private readonly wake = (): void => {
    this.timer = this.immediate = undefined;
    const started = performance.now();
    let now = started;
    for (let n = 1; this.head < this.due.length && this.due[this.head]! <= now; n++) {
      const vu = this.vus[this.head]!;
      const late = now - this.due[this.head]!;
      this.head++;
      if (vu.paused) {
        vu.paused = false;
        threadSlice.waited(late);
        vu.endPause();
      }
      if (n % WAKES_PER_CHECK === 0) {
        now = performance.now();
        if (now - started >= SLICE_MS) {
          this.immediate = setImmediate(this.wake);
          break;
        }
      }
    }
    this.compact();
    if (!this.immediate && this.head < this.due.length) this.arm(this.due[this.head]!);
  };

  private compact(): void {
    if (this.head === this.due.length) this.due.length = this.vus.length = this.head = 0;
    else if (this.head > 1024 && this.head * 2 > this.due.length) {
      this.due.splice(0, this.head);
      this.vus.splice(0, this.head);
      this.head = 0;
    }
  }
}
