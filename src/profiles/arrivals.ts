import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { ArrivalSchedule, type RateSegment, ShareArrivals } from './arrival-schedule.js';
import { splitInteger } from '../util/split.js';
import { type WakeClock, wakeClock } from './wake-clock.js';
import type { Runtime, Turns } from './types.js';
import type { VuContext } from '../providers/types.js';

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
 * Node's timers fire to the millisecond, sometimes early: closer than this to a due arrival,
 * the clock thread (wake-clock.ts) wakes the loop, which meanwhile reads replies as they come.
 */
const PRECISE_WITHIN_MS = 2;
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
  const schedule = new ArrivalSchedule(share.segments);
  const mine = new ShareArrivals(share.weights, share.index);
  const pool = new ArrivalPool(share, runtime);
  // performance.now() at the common start, to the microsecond (Date.now() is only milliseconds).
  const origin = runtime.startAt - performance.timeOrigin;
  // Behind schedule, arrivals start back to back: the loop takes turns on the thread (thread-slice.ts).
  const runs = runtime.turns({});
  const due = runtime.arrivalsDue();
  const clock = wakeClock();
  for (let m = 0, i = mine.globalIndex(0); i < schedule.total && !runtime.stopping; i = mine.globalIndex(++m)) {
    const dueMs = schedule.timeOf(i);
    due(dueMs);
    const intended = origin + dueMs;
    // Behind schedule nothing is awaited: the arrival starts at once.
    if (intended > performance.now()) await waitUntil(intended, { pool, runtime, runs, clock });
    // A late window timer: this arrival waits until the window before its own is sent.
    for (let held = runtime.heldBack(dueMs); held; held = runtime.heldBack(dueMs)) await held;
    if (runtime.stopping) break;
    pool.arrive(intended);
    const turn = runs.next();
    if (turn) {
      await turn;
      runs.restart();
    }
  }
  // The schedule is over: waiting arrivals are dropped, in-flight ones finish and are counted.
  due(Infinity);
  await pool.end();
}

/**
 * Sleeps until `intended` (performance.now() time): by timer while far, by the clock thread when close.
 * Meanwhile the backlog drops arrivals that have waited too long.
 */
async function waitUntil(
  intended: number,
  { pool, runtime, runs, clock }: { pool: ArrivalPool; runtime: Runtime; runs: Turns; clock: WakeClock },
): Promise<void> {
  let wait = intended - performance.now();
  while (wait > 0 && !runtime.stopping) {
    if (pool.waiting) pool.expire();
    if (wait > PRECISE_WITHIN_MS) await runtime.sleep(Math.min(wait - PRECISE_WITHIN_MS, pool.waiting ? BACKLOG_CHECK_MS : Infinity));
    else if (wait > clock.lead && clock.ready) await clock.wakeAt(intended - clock.lead);
    else await yieldToEventLoop();
    runs.restart();
    wait = intended - performance.now();
  }
}

/**
 * One arrival loop's VUs: up to `maxVUs` (added as all are busy), the FIFO backlog of arrivals
 * waiting for one, and the counts of what started and what was dropped.
 */
class ArrivalPool {
  private readonly ops: Runtime['ops'];
  private readonly pick: Runtime['pick'];
  /**
   * The arrivals of one loop share one VU context: an arrival is not a VU, and which of the
   * loop's VUs runs it depends on timing, so only a single stream keeps a seeded run repeatable.
   */
  private readonly vu: VuContext;
  private readonly recorder: Runtime['recorder'];
  private readonly counts: NonNullable<Runtime['recorder']['arrivals']>;
  private allocated: number;
  private busy = 0;
  /** Intended start times (performance.now()) of the arrivals waiting, oldest first, from `head`. */
  private readonly backlog: number[] = [];
  private head = 0;
  private released: (() => void) | undefined;
  /** After the schedule's last arrival nothing new starts: arrivals still waiting are dropped. */
  private ended = false;

  constructor(
    private readonly share: ArrivalShare,
    private readonly runtime: Runtime,
  ) {
    ({ ops: this.ops, pick: this.pick, recorder: this.recorder } = runtime);
    this.counts = this.recorder.arrivals!;
    this.vu = runtime.takeVu();
    this.allocated = share.preAllocatedVUs;
  }

  get waiting(): boolean {
    return this.head < this.backlog.length;
  }

  /** An arrival is due: it starts on a free VU (one more if allowed), waits in the backlog, or is dropped. */
  arrive(intended: number): void {
    if (this.busy >= this.allocated && this.allocated < this.share.maxVUs) this.allocated++;
    if (this.busy < this.allocated) this.start(intended);
    else if (this.share.dropAfterMs > 0) this.backlog.push(intended);
    else this.drop();
  }

  /** Drops the backlog's arrivals that are too late (all of them once stopping or ended). */
  expire(): void {
    const now = performance.now();
    while (this.waiting && (this.ended || this.runtime.stopping || now - this.backlog[this.head]! > this.share.dropAfterMs)) {
      this.head++;
      this.drop();
    }
    if (!this.waiting) this.backlog.length = this.head = 0;
  }

  /** Drops what still waits and resolves once every arrival in flight has finished. */
  async end(): Promise<void> {
    this.ended = true;
    this.expire();
    if (this.busy > 0) await new Promise<void>((resolve) => (this.released = () => this.busy === 0 && resolve()));
    this.runtime.releaseVu(this.vu);
  }

  private drop(): void {
    this.counts.intended++;
    this.counts.dropped++;
  }

  private start(intended: number): void {
    const { ops, recorder } = this;
    const { vu } = this;
    const op = this.pick(vu.random);
    vu.iteration++;
    const t0 = performance.now();
    this.counts.intended++;
    this.counts.started++;
    this.recorder.startLag(t0 - intended);
    this.setBusy(1);
    try {
      const result = ops[op]!(vu);
      if (result instanceof Promise) {
        result.then(
          () => (this.finish(op, t0, intended), this.release()),
          (err: unknown) => (recorder.error(op, err), this.release()),
        );
        return;
      }
      this.finish(op, t0, intended);
    } catch (err) {
      recorder.error(op, err);
    }
    this.setBusy(-1);
  }

  private finish(op: number, t0: number, intended: number): void {
    const end = performance.now();
    this.recorder.okScheduled(op, end - t0, end - intended);
  }

  /** An asynchronous arrival finished: its VU takes the oldest waiting arrival still in time. */
  private release(): void {
    this.setBusy(-1);
    if (this.waiting) {
      this.expire();
      if (this.waiting) this.start(this.backlog[this.head++]!);
    }
    this.released?.();
  }

  private setBusy(delta: number): void {
    this.busy += delta;
    this.runtime.busy(delta);
  }
}
