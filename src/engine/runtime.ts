import type { Recorder } from '../metrics/recorder.js';
import type { Budget, Runtime, Turn, Turns, Vu } from '../profiles/types.js';
import type { Executable, VuContext } from '../providers/types.js';
import { Pauses } from './pauses.js';
import { Runs } from './thread-slice.js';
import { type VuHost, VuRunner } from './vu-runner.js';
import type { VuStreams } from './vu-streams.js';

/** What every view of one worker's runtime shares (a scenario started later is such a view). */
class SharedState {
  stopping = false;
  /** VUs running and not told to stop (a retiring VU still finishes its operation). */
  activeVUs = 0;
  /** Open model: VUs busy now, and the most busy at once since the last window. */
  busyVUs = 0;
  peakVUs = 0;
  /**
   * Closed model: [ms from the run's start, +1 or −1] for each start or retirement since the last
   * window, in time order; `level` is the active VUs before the first of them.
   */
  changes: number[] = [];
  level = 0;
  plannedAt: number | undefined;
  /** The end of the window being recorded, on the run's clock: see `heldBack`. */
  windowEndMs = Infinity;
  readonly windowWaiters = new Set<() => void>();
  /** Each arrival loop's next due arrival, on the run's clock: see `arrivalsDue`. */
  readonly due = new Set<{ atMs: number }>();
  readonly wakers = new Set<() => void>();
  readonly vus = new Set<Vu>();
  readonly pauses = new Pauses();
}

/** The budget of a VU that loops until it is retired. */
const UNLIMITED: Budget = { remaining: Infinity };

/** The worker-side state a profile drives: VUs, the clock, and the stop signal. */
export class WorkerRuntime implements Runtime, VuHost {
  constructor(
    readonly ops: readonly Executable[],
    readonly pick: (random: () => number) => number,
    readonly recorder: Recorder,
    /** Epoch milliseconds at which this runtime's clock starts (the run's common start, or a scenario's). */
    readonly startAt: number,
    private readonly streams: VuStreams,
    private readonly state = new SharedState(),
    /** Where this runtime's clock starts, in the run's own time. */
    private readonly offsetMs = 0,
  ) {}

  /** The same runtime with its clock starting `offsetMs` later: a scenario with a start offset. */
  shifted(offsetMs: number): WorkerRuntime {
    return new WorkerRuntime(
      this.ops,
      this.pick,
      this.recorder,
      this.startAt + offsetMs,
      this.streams,
      this.state,
      this.offsetMs + offsetMs,
    );
  }

  takeVu(): VuContext {
    return this.streams.take();
  }

  releaseVu(vu: VuContext): void {
    this.streams.release(vu);
  }

  get stopping(): boolean {
    return this.state.stopping;
  }

  /**
   * When set, VU starts and retirements are stamped with this planned time (on this runtime's
   * clock) instead of the clock, so a plan step whose timer fires a little late stays in the
   * window it was planned for.
   */
  set plannedAt(ms: number | undefined) {
    this.state.plannedAt = ms === undefined ? undefined : ms + this.offsetMs;
  }

  /** The worker sent every window before the one ending at `endMs` (the run's clock). */
  recordingUntil(endMs: number): void {
    this.state.windowEndMs = endMs;
    this.wakeWindowWaiters();
  }

  /**
   * A promise when `ms` (this runtime's clock) lies past the window being recorded, because that
   * window's timer is late on a busy thread: work planned for `ms` waits for it, so that it is
   * counted in the window it was planned for. Undefined otherwise (or once stopping).
   */
  heldBack(ms: number): Promise<void> | undefined {
    const s = this.state;
    if (ms + this.offsetMs < s.windowEndMs || s.stopping) return undefined;
    return new Promise((resolve) => s.windowWaiters.add(resolve));
  }

  /**
   * For an arrival loop: the returned call says when its next arrival is due (this runtime's
   * clock; Infinity when none is left), and the window that should count that arrival is not
   * sent before it has started or queued. With `heldBack`, late timers on a busy thread never
   * move an arrival into a neighbouring window.
   */
  arrivalsDue(): (ms: number) => void {
    const next = { atMs: Infinity };
    this.state.due.add(next);
    return (ms) => void (next.atMs = ms + this.offsetMs);
  }

  /** True while an arrival due before `endMs` (the run's clock) has yet to start or queue. */
  arrivalDueBefore(endMs: number): boolean {
    if (this.state.stopping) return false;
    for (const next of this.state.due) if (next.atMs < endMs) return true;
    return false;
  }

  private wakeWindowWaiters(): void {
    const waiters = [...this.state.windowWaiters];
    this.state.windowWaiters.clear();
    for (const wake of waiters) wake();
  }

  turns(turn: Turn): Turns {
    return new Runs(turn);
  }

  /** Open model: one more (+1) or one fewer (−1) VU busy. */
  busy(delta: number): void {
    const s = this.state;
    s.busyVUs += delta;
    if (s.busyVUs > s.peakVUs) s.peakVUs = s.busyVUs;
  }

  /**
   * Starts one VU looping over the workload until it is stopped or the budget runs out,
   * pausing `thinkMs` between operations (a paused VU costs a place in a queue, not a thread).
   */
  startVu(budget: Budget = UNLIMITED, thinkMs = 0): Vu {
    const vu = new VuRunner(this, budget, thinkMs, this.stopping);
    vu.start();
    return vu;
  }

  get pauses(): Pauses {
    return this.state.pauses;
  }

  began(vu: Vu): VuContext {
    this.state.vus.add(vu);
    this.state.activeVUs++;
    this.noteChange(1);
    return this.streams.take();
  }

  ended(vu: Vu, context: VuContext): void {
    this.streams.release(context);
    this.state.vus.delete(vu);
  }

  /** Tells a VU to stop after its in-flight operation; from now on it no longer counts as active. */
  retire(vu: Vu): void {
    if (vu.stopped) return;
    vu.stopped = true;
    vu.wake?.();
    this.state.activeVUs--;
    this.noteChange(-1);
  }

  /** Retires the VUs and waits for their in-flight operations. */
  async stopVus(vus: readonly Vu[]): Promise<void> {
    for (const vu of vus) this.retire(vu);
    await Promise.all(vus.map((vu) => vu.done));
  }

  private noteChange(delta: number): void {
    const s = this.state;
    const at = s.plannedAt ?? this.elapsed() + this.offsetMs;
    // Timers that fire late together may run a later scenario's step (its sleep already over)
    // before an earlier one's: each change goes in at its time.
    let i = s.changes.length;
    while (i > 0 && s.changes[i - 2]! > at) i -= 2;
    if (i === s.changes.length) s.changes.push(at, delta);
    else s.changes.splice(i, 0, at, delta);
  }

  /**
   * The most VUs active at once in the window [startMs, endMs). Changes are placed by their
   * time, so a step planned at a window boundary lands in the window it belongs to whichever
   * timer fires first; changes stamped with the same time (one scenario's VUs retiring as the
   * next one's start) count only as the level they leave.
   */
  windowPeak(startMs: number, endMs: number): number {
    const s = this.state;
    let i = 0;
    // A change stamped at the window's first millisecond is the level the window starts with.
    for (; i < s.changes.length && s.changes[i]! <= startMs; i += 2) s.level += s.changes[i + 1]!;
    let peak = s.level + s.peakVUs;
    for (; i < s.changes.length && s.changes[i]! < endMs; i += 2) {
      s.level += s.changes[i + 1]!;
      if (s.changes[i + 2] !== s.changes[i] && s.level + s.peakVUs > peak) peak = s.level + s.peakVUs;
    }
    s.changes.splice(0, i);
    s.peakVUs = s.busyVUs;
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
        this.state.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.state.wakers.add(wake);
    });
  }

  /** Graceful stop: no VU starts another operation; in-flight ones finish and are counted. */
  stop(): void {
    this.state.stopping = true;
    for (const vu of this.state.vus) this.retire(vu);
    for (const wake of [...this.state.wakers]) wake();
    this.state.pauses.close();
    this.wakeWindowWaiters();
  }
}

/** A weighted choice of operation from the VU's stream; a single-operation workload skips the draw. */
export function weightedPicker(weights: readonly number[]): (random: () => number) => number {
  if (weights.length === 1) return () => 0;
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const last = cumulative.length - 1;
  return (random) => {
    const r = random();
    for (let i = 0; i < last; i++) if (r < cumulative[i]!) return i;
    return last;
  };
}
