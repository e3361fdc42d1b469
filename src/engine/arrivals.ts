import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { ArrivalSchedule, type RateSegment, ShareArrivals } from '../profiles/arrival-schedule.js';
import { splitInteger } from '../plan/split.js';
import type { Runtime } from './runtime.js';

/** One worker's part of an arrival-rate profile: plain data, rebuilt into its schedule in the worker. */
export interface ArrivalShare {
  segments: RateSegment[];
  weights: number[];
  index: number;
  /** VUs ready from the start; more are added up to `maxVUs` when all are busy. */
  preAllocatedVUs: number;
  maxVUs: number;
}

/** Every share follows the one global schedule; VUs are split exactly by the same weights. */
export function arrivalShares(segments: RateSegment[], preAllocatedVUs: number, maxVUs: number, weights: readonly number[]): ArrivalShare[] {
  const pre = splitInteger(preAllocatedVUs, weights);
  const max = splitInteger(maxVUs, weights);
  return weights.map((_, index) => ({
    segments,
    weights: [...weights],
    index,
    preAllocatedVUs: pre[index]!,
    maxVUs: Math.max(pre[index]!, max[index]!),
  }));
}

/**
 * Node's timers fire at best about 1 ms late: closer than this to a due arrival, the thread
 * naps with Atomics.wait (sub-millisecond, no CPU burnt) and gives the event loop a turn
 * between naps so that replies and window timers are not held up by more than one nap.
 */
const PRECISE_WITHIN_MS = 2;
const NAP_MS = 0.2;
const nap = new Int32Array(new SharedArrayBuffer(4));
const SYNC_OPS_PER_YIELD = 512;

/**
 * The open model: starts each of this share's arrivals at its intended time whether or not
 * earlier ones have finished. Latency counts from the intended start (so a stalled database
 * shows its queueing delay, as with pgbench -R or wrk2); an arrival with no free VU is dropped
 * and counted; schedule lag is how late the generator itself started an operation.
 */
export async function runArrivals(share: ArrivalShare, runtime: Runtime): Promise<void> {
  const { ops, pick, recorder } = runtime;
  const counts = recorder.arrivals!;
  const schedule = new ArrivalSchedule(share.segments);
  const mine = new ShareArrivals(share.weights, share.index);
  const { maxVUs } = share;
  // performance.now() at the common start, to the microsecond (Date.now() is only milliseconds).
  const origin = runtime.startAt - performance.timeOrigin;
  let allocated = share.preAllocatedVUs;
  let busy = 0;
  let idle: (() => void) | undefined;

  const finish = (op: number, t0: number, intended: number): void => {
    const end = performance.now();
    recorder.okScheduled(op, (end - t0) * 1000, (end - intended) * 1000);
  };
  const release = (): void => {
    runtime.busyVUs = --busy;
    if (busy === 0) idle?.();
  };
  const start = (intended: number): boolean => {
    const op = pick();
    const t0 = performance.now();
    counts.started++;
    counts.lag.recordValue((t0 - intended) * 1000);
    if (++busy > runtime.peakVUs) runtime.peakVUs = busy;
    runtime.busyVUs = busy;
    try {
      const result = ops[op]!();
      if (result instanceof Promise) {
        result.then(
          () => (finish(op, t0, intended), release()),
          (err: unknown) => (recorder.error(op, err), release()),
        );
        return true;
      }
      finish(op, t0, intended);
    } catch (err) {
      recorder.error(op, err);
    }
    release();
    return false;
  };

  let m = 0;
  let syncRun = 0;
  for (let i = mine.globalIndex(0); i < schedule.total && !runtime.stopping; i = mine.globalIndex(++m)) {
    const intended = origin + schedule.timeOf(i);
    let wait = intended - performance.now();
    while (wait > 0 && !runtime.stopping) {
      if (wait > PRECISE_WITHIN_MS) await runtime.sleep(wait - PRECISE_WITHIN_MS);
      else {
        Atomics.wait(nap, 0, 0, Math.min(wait, NAP_MS));
        await yieldToEventLoop();
      }
      syncRun = 0;
      wait = intended - performance.now();
    }
    if (runtime.stopping) break;
    counts.intended++;
    if (busy >= allocated) {
      if (allocated < maxVUs) allocated++;
      else {
        counts.dropped++;
        continue;
      }
    }
    if (start(intended)) syncRun = 0;
    else if (++syncRun === SYNC_OPS_PER_YIELD) {
      syncRun = 0;
      await yieldToEventLoop();
    }
  }
  if (busy > 0) await new Promise<void>((resolve) => (idle = resolve));
}
