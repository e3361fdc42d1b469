import { performance } from 'node:perf_hooks';
import type { Budget, Runtime, Vu } from '../profiles/types.js';
import type { VuContext } from '../providers/types.js';
import type { Pauses, Pausing } from './pauses.js';
import { Runs, threadSlice } from './thread-slice.js';

/** What `VuRunner.step` returns: see there. */
const WAITS = Symbol('waits');
type Step = Promise<unknown> | typeof WAITS | undefined;

/** What a VU needs from the runtime it runs on. */
export interface VuHost extends Pick<Runtime, 'ops' | 'pick' | 'recorder'> {
  readonly pauses: Pauses;
  /** The provider's operations wait for I/O (not better-sqlite3): see `Runs`. */
  readonly awaitsIo: boolean;
  /** The VU starts looping: it now counts as active, and takes its context. */
  began(vu: Vu): VuContext;
  /** The VU will start nothing more (retired, or out of budget). */
  retire(vu: Vu): void;
  /** The VU's last operation is over: its context goes back. */
  ended(vu: Vu, context: VuContext): void;
}

/**
 * One closed-model VU, looping over the workload until it is retired or its budget runs out,
 * pausing `thinkMs` between operations. A state machine rather than an async function: a paused
 * VU holds no suspended frame, promise or timer (see pauses.ts), and a synchronous operation
 * (better-sqlite3) runs in a plain loop with no promise at all.
 */
export class VuRunner implements Vu, Pausing {
  stopped: boolean;
  paused = false;
  wake: (() => void) | undefined;
  private context: VuContext | undefined;
  /** Without think time a VU runs back to back: it takes turns on the thread (thread-slice.ts). */
  private runs: Runs | undefined;
  /** The operation in flight, when it is asynchronous, and when it started (`performance.now()`). */
  private op = 0;
  private startedAt = 0;
  private finished = false;
  private donePromise: Promise<void> | undefined;
  private resolveDone: (() => void) | undefined;

  constructor(
    private readonly host: VuHost,
    private readonly budget: Budget,
    private readonly thinkMs: number,
    stopped: boolean,
  ) {
    this.stopped = stopped;
  }

  /** Resolves once the VU's last operation is over (made on demand: most VUs are never awaited one by one). */
  get done(): Promise<void> {
    this.donePromise ??= this.finished ? Promise.resolve() : new Promise((resolve) => (this.resolveDone = resolve));
    return this.donePromise;
  }

  start(): void {
    // Started after the stop: never active, so never retired.
    if (this.stopped) return this.finish();
    this.context = this.host.began(this);
    if (this.thinkMs === 0) this.runs = new Runs(this, this.host.awaitsIo);
    // A VU started while the thread is busy (one of thousands started in one stretch) waits its
    // turn, as a pause of no length, so starting them never holds the thread for longer than a slice.
    if (threadSlice.mustWait(performance.now())) this.pause(0);
    else this.loop();
  }

  endPause(): void {
    this.runs?.restart();
    this.loop();
  }

  /** Ended early by a retirement: a paused VU finishes at once. */
  private readonly endEarly = (): void => {
    if (!this.paused) return;
    this.paused = false;
    this.loop();
  };

  private resume(): void {
    this.runs?.restart();
    this.loop();
  }

  /** Runs operations back to back until one waits for I/O (then `awaitIo` goes on), the VU waits, or it finishes. */
  private loop(): void {
    let next: Step;
    while ((next = this.step()) === undefined);
    if (next !== WAITS) void this.awaitIo(next);
  }

  /**
   * One async frame that awaits an operation's I/O, and every next one while the VU neither
   * waits nor ends. A `.then()` reaction per operation measured slower with postgres.js: its
   * young-generation collections kept 2–3× as much alive (6 ms each, against 1.3 ms here), for
   * 15–25 % fewer queries per second.
   */
  private async awaitIo(pending: Promise<unknown>): Promise<void> {
    const { recorder } = this.host;
    for (;;) {
      try {
        await pending;
        recorder.ok(this.op, performance.now() - this.startedAt);
      } catch (err) {
        recorder.error(this.op, err);
      }
      if (this.suspended()) return;
      let next: Step;
      while ((next = this.step()) === undefined);
      if (next === WAITS) return;
      pending = next;
    }
  }

  /**
   * Starts the next operation: its promise when it waits for I/O, undefined when it is over
   * already (synchronous), WAITS when the VU now waits (a pause, its turn) or has finished.
   */
  private step(): Step {
    if (this.stopped || this.budget.remaining <= 0) {
      this.finish();
      return WAITS;
    }
    this.budget.remaining--;
    const { ops, pick, recorder } = this.host;
    const context = this.context!;
    const op = pick(context.random);
    context.iteration++;
    const t0 = performance.now();
    let result: unknown;
    try {
      result = ops[op]!(context);
    } catch (err) {
      recorder.error(op, err);
      return this.suspended() ? WAITS : undefined;
    }
    if (result instanceof Promise) {
      this.op = op;
      this.startedAt = t0;
      return result;
    }
    recorder.ok(op, performance.now() - t0);
    return this.suspended() ? WAITS : undefined;
  }

  /** After an operation: true when the VU now waits (a pause, or its next turn on the thread). */
  private suspended(): boolean {
    if (this.stopped) return false;
    if (this.thinkMs > 0) {
      this.pause(this.thinkMs);
      return true;
    }
    const turn = this.runs!.next();
    if (!turn) return false;
    void turn.then(() => this.resume());
    return true;
  }

  private pause(ms: number): void {
    this.wake = this.endEarly;
    this.host.pauses.add(this, ms);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // A VU whose budget ran out retires itself.
    this.host.retire(this);
    if (this.context) this.host.ended(this, this.context);
    this.resolveDone?.();
  }
}
