import { HealthMonitor } from '../metrics/health.js';
import type { Recorder } from '../metrics/recorder.js';
import type { GeneratorHealth } from '../metrics/snapshot.js';
import type { PhasePlan } from '../profiles/stages.js';
import type { WorkerMessage, WorkerTask } from './messages.js';
import type { WorkerRuntime } from './runtime.js';
import { threadSlice } from './thread-slice.js';

/** The phase name of a profile that has no phases of its own. */
const SINGLE_PHASE = 'main';

/** The span of a worker's load, in ms from the common start: each window says how much of it it held. */
export class LoadSpan {
  private startMs = 0;
  private endMs: number | undefined;
  /** True when a stop message cut the share short; false when it finished its own work. */
  stopped = false;

  begin(elapsedMs: number): void {
    this.startMs = Math.max(0, elapsedMs);
  }

  /** The coordinator's stop: the load ends now, unless it already has. */
  stop(elapsedMs: number): void {
    if (this.endMs !== undefined) return;
    this.stopped = true;
    this.endMs = Math.max(this.startMs, elapsedMs);
  }

  /** The profile ran out: the load ended now, unless a stop ended it first. Returns the end. */
  end(elapsedMs: number): number {
    return (this.endMs ??= elapsedMs);
  }

  /** How far after the common start the load began. */
  get lateStartMs(): number {
    return this.startMs;
  }

  ranMs(from: number, to: number): number {
    return Math.max(0, Math.min(to, this.endMs ?? to) - Math.max(from, this.startMs));
  }
}

export interface WindowSource {
  task: Pick<WorkerTask, 'runId' | 'source' | 'provider' | 'phases' | 'windowMs'>;
  recorder: Recorder;
  runtime: WorkerRuntime;
  span: LoadSpan;
  /** The common start (epoch ms). */
  startAt: number;
  /** The database runs on this very thread (synchronous driver, closed model). */
  inline: boolean;
  send: (m: WorkerMessage) => void;
}

/**
 * One snapshot per window: a timer aligned to the common start flushes and resets the recorder
 * at each window's end, and a last flush follows the load.
 */
export class WorkerWindows {
  private window = 0;
  private timer: NodeJS.Timeout | undefined;
  private health: HealthMonitor | undefined;

  constructor(private readonly s: WindowSource) {
    s.runtime.recordingUntil(s.task.windowMs);
  }

  /** At the common start. */
  start(): void {
    this.health = new HealthMonitor();
    this.schedule();
  }

  /** After the load: the last window's snapshot. Returns how many windows there were. */
  finish(): number {
    clearTimeout(this.timer);
    this.emit(true);
    return this.window + 1;
  }

  close(): void {
    clearTimeout(this.timer);
    this.health?.stop();
  }

  private schedule(): void {
    const { task, runtime, startAt } = this.s;
    const endMs = (this.window + 1) * task.windowMs;
    const close = (): void => {
      // On a busy thread this timer may run before an arrival due in the window: it goes first.
      if (runtime.arrivalDueBefore(endMs)) return void (this.timer = setTimeout(close, 1));
      this.emit(false);
      this.window++;
      runtime.recordingUntil(endMs + task.windowMs);
      this.schedule();
    };
    this.timer = setTimeout(close, startAt + endMs - Date.now());
  }

  private emit(last: boolean): void {
    const { task, recorder, runtime, span } = this.s;
    const window = this.window;
    const operations = recorder.flush();
    const arrivals = recorder.flushArrivals();
    const [from, to] = [window * task.windowMs, (window + 1) * task.windowMs];
    const health = this.healthSample();
    const activeVUs = runtime.windowPeak(from, to);
    // A run that ends on a window boundary leaves nothing for a last window: send no empty one.
    if (last && operations.length === 0 && !arrivals?.intended && window > 0) return;
    this.s.send({
      type: 'snapshot',
      snapshot: {
        runId: task.runId,
        source: task.source,
        provider: task.provider.name,
        phase: phaseOf(task.phases, (window + 0.5) * task.windowMs) ?? SINGLE_PHASE,
        window,
        activeVUs,
        ranMs: span.ranMs(from, to),
        ...(window === 0 ? { lateStartMs: span.lateStartMs } : {}),
        operations,
        ...(arrivals ? { arrivals } : {}),
        health,
      },
    });
  }

  /**
   * A synchronous database (better-sqlite3) runs on this very thread: a busy event loop then
   * cannot distort the latency timed around its calls, but VUs queued for the thread can be
   * paced by the generator (health.ts).
   */
  private healthSample(): GeneratorHealth {
    const threadWaitP99Us = threadSlice.takeWaitP99Us();
    return { ...this.health!.sample(), ...(this.s.inline ? { inline: true, threadWaitP99Us } : {}) };
  }
}

/** The phase planned at `ms`; the graceful tail after the last phase still belongs to it. */
function phaseOf(phases: readonly PhasePlan[], ms: number): string | undefined {
  return (phases.find((p) => ms < p.endMs) ?? phases.at(-1))?.name;
}
