import type { ErrorsByClass } from './errors.js';

/** One operation's figures for one window of one source. */
export interface OperationWindow {
  operation: string;
  /** Encoded HDR histogram of successful latencies in µs (compressed base64). */
  histogram: string;
  ok: number;
  errors: ErrorsByClass;
  /** Open model: encoded histogram of latency from the intended start (µs). */
  corrected?: string;
  /** Timed parts of the operation (e.g. connect, query), each its own encoded histogram. */
  parts?: Record<string, string>;
}

/** Open model, one window of one source: intended = started + dropped. */
export interface ArrivalWindow {
  intended: number;
  started: number;
  dropped: number;
  /** Encoded histogram of schedule lag (actual start − intended start, µs). */
  lag: string;
}

/** How busy the load generator itself was during a window. */
export interface GeneratorHealth {
  /** p99 of the event loop's delay (µs). */
  loopDelayP99Us: number;
  /** Event-loop utilization of the worker's thread, 0..1 (CPU spent running JavaScript). */
  cpu: number;
  /** The database runs on the generator's own thread (synchronous SQLite, closed model). */
  inline?: boolean;
  /** Inline only: p99 of how long a VU waited for the thread while other VUs held it (µs). */
  threadWaitP99Us?: number;
}

/** What a worker emits once per window: the unit every merge works on. */
export interface Snapshot {
  runId: string;
  /** Which worker sent it, e.g. `local/w0`. */
  source: string;
  provider: string;
  phase: string;
  /** Window index from the run's common start. */
  window: number;
  activeVUs: number;
  /**
   * How long the source's load ran within this window (ms): less than the window when it started
   * late or was stopped, so a share that did not fully run is seen even when its snapshot arrives.
   */
  ranMs: number;
  /** Window 0 only: how far after the common start the source's load began (ms). */
  lateStartMs?: number;
  operations: OperationWindow[];
  arrivals?: ArrivalWindow;
  health?: GeneratorHealth;
}
