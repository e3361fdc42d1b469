import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorHealth } from './snapshot.js';

/** A timer late by this much means the generator, not the database, set the pace. */
const LOOP_DELAY_LIMIT_US = 10_000;
/** A thread this busy that also starts operations late cannot keep its schedule. */
const CPU_LIMIT = 0.95;
const LAG_LIMIT_US = 1_000;
/**
 * Inline, the thread is the database's as much as the generator's: its calls are timed apart from
 * any wait, so a late loop distorts no latency. But a VU that waits this long for its turn on the
 * thread, behind other VUs, sends far less often than a client with a connection of its own:
 * the generator's queue, not the database, paces it (this is 5 % of a default window).
 */
const THREAD_WAIT_LIMIT_US = 50_000;
/** The delay monitor's sampling interval; its samples include it, so it is subtracted. */
const RESOLUTION_MS = 10;

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
    const cpu = elu.active / Math.max(1e-9, elu.active + elu.idle);
    this.last = now;
    return { loopDelayP99Us: Math.round(p99 / 1000), cpu: Math.round(cpu * 1000) / 1000 };
  }

  stop(): void {
    this.delay.disable();
  }
}

/**
 * A window where the generator was saturated: its event loop ran late, or (open model) its
 * thread was busy and started operations late, or (inline) VUs waited for their turn on the
 * thread. Its figures are not the database's alone.
 */
export function isSaturated(health: GeneratorHealth, lagP99Us?: number): boolean {
  if (health.inline) return (health.threadWaitP99Us ?? 0) >= THREAD_WAIT_LIMIT_US;
  return health.loopDelayP99Us >= LOOP_DELAY_LIMIT_US || (health.cpu >= CPU_LIMIT && (lagP99Us ?? 0) >= LAG_LIMIT_US);
}
