import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { ArrivalSchedule, type RateSegment, ShareArrivals } from './arrival-schedule.js';
import { splitInteger } from '../util/split.js';
import { nap } from '../metrics/health.js';
import type { Runtime } from './types.js';

/** One worker's part of an arrival-rate profile: plain data, rebuilt into its schedule in the worker. */
export interface ArrivalShare {
  segments: RateSegment[];
  weights: number[];
  index: number;
  /** VUs ready from the start; more are added up to `maxVUs` when all are busy. */
  preAllocatedVUs: number;
  maxVUs: number;
  /** How long a due arrival may wait for a free VU before it is dropped (0: drop at once, as k6 does). */
  dropAfterMs: number;
}

/** Every share follows the one global schedule; VUs are split exactly by the same weights. */
export function arrivalShares(
  segments: RateSegment[],
  vus: { preAllocatedVUs: number; maxVUs: number; dropAfterMs: number },
  weights: readonly number[],
): ArrivalShare[] {
  const pre = splitInteger(vus.preAllocatedVUs, weights);
  const max = splitInteger(vus.maxVUs, weights);
  return weights.map((_, index) => ({
    segments,
    weights: [...weights],
    index,
    preAllocatedVUs: pre[index]!,
    maxVUs: Math.max(pre[index]!, max[index]!),
    dropAfterMs: vus.dropAfterMs,
  }));
}

/**
 * Node's timers fire at best about 1 ms late: closer than this to a due arrival, the thread
 * naps with Atomics.wait (sub-millisecond, no CPU burnt) and gives the event loop a turn
 * between naps so that replies and window timers are not held up by more than one nap.
 */
const PRECISE_WITHIN_MS = 2;
const NAP_MS = 0.2;
/** How often a backlog that no finishing operation drains is checked for arrivals to drop. */
const BACKLOG_CHECK_MS = 5;

/**
 * The open model: starts each of this share's arrivals at its intended time whether or not
 * earlier ones have finished. An arrival with no free VU waits in a FIFO backlog (as with
 * pgbench -R) and is dropped, and counted, once it is `dropAfterMs` late (pgbench's
 * --latency-limit). Latency counts from the intended start, so a stalled database shows its
 * queueing delay; service time counts from the actual start; schedule lag is how late the start was.
 * An arrival is counted as intended in the window its fate (started or dropped) is decided, so
 * every window has intended = started + dropped.
 */
export async function runArrivals(share: ArrivalShare, runtime: Runtime): Promise<void> {
  const { ops, pick, recorder } = runtime;
  const counts = recorder.arrivals!;
  const schedule = new ArrivalSchedule(share.segments);
  const mine = new ShareArrivals(share.weights, share.index);
  const { maxVUs, dropAfterMs } = share;
  // performance.now() at the common start, to the microsecond (Date.now() is only milliseconds).
  const origin = runtime.startAt - performance.timeOrigin;
  let allocated = share.preAllocatedVUs;
  let busy = 0;
  const backlog: number[] = [];
  let head = 0;
  let released: (() => void) | undefined;
  /** After the schedule's last arrival nothing new starts: arrivals still waiting are dropped. */
  let ended = false;

  const finish = (op: number, t0: number, intended: number): void => {
    const end = performance.now();
    recorder.okScheduled(op, end - t0, end - intended);
  };
  /** Drops the backlog's arrivals that are too late (all of them once stopping or ended). */
  const expire = (): void => {
    const now = performance.now();
    while (head < backlog.length && (ended || runtime.stopping || now - backlog[head]! > dropAfterMs)) {
      head++;
      counts.intended++;
      counts.dropped++;
    }
    if (head === backlog.length) backlog.length = head = 0;
  };
  /** The oldest waiting arrival still in time, taken off the backlog. */
  const takeWaiting = (): number | undefined => {
    expire();
    return head < backlog.length ? backlog[head++] : undefined;
  };
  const release = (): void => {
    busy--;
    runtime.busy(-1);
    const waiting = head < backlog.length ? takeWaiting() : undefined;
    if (waiting !== undefined) start(waiting);
    released?.();
  };
  const start = (intended: number): void => {
    const op = pick();
    const t0 = performance.now();
    counts.intended++;
    counts.started++;
    recorder.startLag(t0 - intended);
    busy++;
    runtime.busy(1);
    try {
      const result = ops[op]!();
      if (result instanceof Promise) {
        result.then(
          () => (finish(op, t0, intended), release()),
          (err: unknown) => (recorder.error(op, err), release()),
        );
        return;
      }
      finish(op, t0, intended);
    } catch (err) {
      recorder.error(op, err);
    }
    busy--;
    runtime.busy(-1);
  };
  const arrive = (intended: number): void => {
    if (busy >= allocated && allocated < maxVUs) allocated++;
    if (busy < allocated) start(intended);
    else if (dropAfterMs > 0) backlog.push(intended);
    else {
      counts.intended++;
      counts.dropped++;
    }
  };

  // Behind schedule, arrivals start back to back: the loop takes turns on the thread (thread-slice.ts).
  const runs = runtime.turns({});
  let m = 0;
  const due = runtime.arrivalsDue();
  for (let i = mine.globalIndex(0); i < schedule.total && !runtime.stopping; i = mine.globalIndex(++m)) {
    const dueMs = schedule.timeOf(i);
    due(dueMs);
    const intended = origin + dueMs;
    let wait = intended - performance.now();
    while (wait > 0 && !runtime.stopping) {
      if (head < backlog.length) expire();
      if (wait > PRECISE_WITHIN_MS)
        await runtime.sleep(Math.min(wait - PRECISE_WITHIN_MS, head < backlog.length ? BACKLOG_CHECK_MS : Infinity));
      else {
        nap(Math.min(wait, NAP_MS));
        await yieldToEventLoop();
      }
      runs.restart();
      wait = intended - performance.now();
    }
    // A late window timer: this arrival waits until the window before its own is sent.
    for (let held = runtime.heldBack(dueMs); held; held = runtime.heldBack(dueMs)) await held;
    if (runtime.stopping) break;
    arrive(intended);
    const turn = runs.next();
    if (turn) {
      await turn;
      runs.restart();
    }
  }
  // The schedule is over: waiting arrivals are dropped, in-flight ones finish and are counted.
  due(Infinity);
  ended = true;
  expire();
  if (busy > 0) await new Promise<void>((resolve) => (released = () => busy === 0 && resolve()));
}
