import type { Recorder } from '../metrics/recorder.js';
import type { Budget, Runtime, Turn, Turns, Vu } from '../profiles/types.js';
import type { Executable, VuContext } from '../providers/types.js';
import { Runs } from './thread-slice.js';
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
}

/** The worker-side state a profile drives: VUs, the clock, and the stop signal. */
export class WorkerRuntime implements Runtime {
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
   * pausing `thinkMs` between operations (an idle VU costs a timer, not a thread).
   */
  startVu(budget: Budget = { remaining: Infinity }, thinkMs = 0): Vu {
    const vu = { stopped: this.stopping } as { stopped: boolean; done: Promise<void> };
    this.state.vus.add(vu);
    vu.done = this.vuLoop(vu, budget, thinkMs);
    return vu;
  }

  private async vuLoop(vu: Vu, budget: Budget, thinkMs: number): Promise<void> {
    const { ops, pick, recorder } = this;
    // Without think time a VU runs back to back: it takes turns on the thread (thread-slice.ts).
    const runs = new Runs(vu);
    // Started after the stop: never active, so never retired.
    if (vu.stopped) return;
    this.state.activeVUs++;
    this.noteChange(1);
    const context = this.streams.take();
    const { random } = context;
    try {
      const first = runs.begin();
      if (first) {
        await first;
        runs.restart();
      }
      while (!vu.stopped && budget.remaining > 0) {
        budget.remaining--;
        const op = pick(random);
        context.iteration++;
        const t0 = process.hrtime.bigint();
        try {
          const result = ops[op]!(context);
          if (result instanceof Promise) await result;
          recorder.ok(op, process.hrtime.bigint() - t0);
        } catch (err) {
          recorder.error(op, err);
        }
        if (thinkMs > 0) await think(vu, thinkMs);
        else {
          const turn = runs.next();
          if (turn) {
            await turn;
            runs.restart();
          }
        }
      }
    } finally {
      // A VU whose budget ran out retires itself.
      this.retire(vu);
      this.streams.release(context);
      this.state.vus.delete(vu);
    }
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
    s.changes.splice(i, 0, at, delta);
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
    this.wakeWindowWaiters();
  }
}

/** A VU's pause between operations: one timer, cut short if the VU is retired meanwhile. */
function think(vu: Vu, ms: number): Promise<void> {
  if (vu.stopped) return Promise.resolve();
  // One closure per pause; waking a pause that already ended is harmless.
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    vu.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
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
