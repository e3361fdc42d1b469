import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorHealth } from './snapshot.js';

/** A timer late by this much means the generator, not the database, set the pace. */
const LOOP_DELAY_LIMIT_US = 10_000;
/** A thread this busy that also starts operations late cannot keep its schedule. */
const CPU_LIMIT = 0.95;
const LAG_LIMIT_US = 1_000;
/** The delay monitor's sampling interval; its samples include it, so it is subtracted. */
const RESOLUTION_MS = 10;

const napCell = new Int32Array(new SharedArrayBuffer(4));
/** Milliseconds this thread spent napping since the last sample: idle, though the event loop counts it as busy. */
let nappedMs = 0;

/** Blocks the thread for a sub-millisecond wait that Node's timers cannot do; counted as idle. */
export function nap(ms: number): void {
  const t0 = performance.now();
  Atomics.wait(napCell, 0, 0, ms);
  nappedMs += performance.now() - t0;
}

/** Per-window event-loop delay and utilization of the current thread (both are per thread). */
export class HealthMonitor {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private last: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.delay.enable();
  }

  /** The window just ended; resets for the next. */
  sample(): GeneratorHealth {
    const p99 = this.delay.count > 0 ? Math.max(0, this.delay.percentile(99) - RESOLUTION_MS * 1e6) : 0;
    this.delay.reset();
    const now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(now, this.last);
    const cpu = Math.max(0, elu.active - nappedMs) / Math.max(1e-9, elu.active + elu.idle);
    nappedMs = 0;
    this.last = now;
    return { loopDelayP99Us: Math.round(p99 / 1000), cpu: Math.round(cpu * 1000) / 1000 };
  }

  stop(): void {
    this.delay.disable();
  }
}

/**
 * A window where the generator was saturated: its event loop ran late, or (open model) its
 * thread was busy and started operations late. Its latency is not the database's alone.
 */
export function isSaturated(health: GeneratorHealth, lagP99Us?: number): boolean {
  if (health.inline) return false;
  return health.loopDelayP99Us >= LOOP_DELAY_LIMIT_US || (health.cpu >= CPU_LIMIT && (lagP99Us ?? 0) >= LAG_LIMIT_US);
}
