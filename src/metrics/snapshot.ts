import type { ErrorsByClass } from './errors.js';

/** One operation's figures for one window of one source. */
export interface OperationWindow {
  operation: string;
  /** Encoded HDR histogram of successful latencies in µs (compressed base64). */
  histogram: string;
  ok: number;
  errors: ErrorsByClass;
  /** Timed parts of the operation (e.g. connect, query), each its own encoded histogram. */
  parts?: Record<string, string>;
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
  operations: OperationWindow[];
}
