import { z } from 'zod';
import { errorsByClassSchema } from './errors.js';

const count = z.number().int().nonnegative();

/** One operation's figures for one window of one source. */
export const operationWindowSchema = z.strictObject({
  operation: z.string(),
  /**
   * HDR histogram of successful latencies (ns), base64 of its V2 encoding: plain as workers send
   * it (cheap to merge), or compressed for a large window (see Recorder.flush); both are read.
   */
  histogram: z.string(),
  ok: count,
  errors: errorsByClassSchema,
  /** Open model: encoded histogram of latency from the intended start (ns). */
  corrected: z.string().optional(),
  /** Timed parts of the operation (e.g. connect, query), each its own encoded histogram. */
  parts: z.record(z.string(), z.string()).optional(),
});
export type OperationWindow = z.infer<typeof operationWindowSchema>;

/** Open model, one window of one source: intended = started + dropped. */
export const arrivalWindowSchema = z.strictObject({
  intended: count,
  started: count,
  dropped: count,
  /** Encoded histogram of schedule lag (actual start − intended start, ns). */
  lag: z.string(),
});
export type ArrivalWindow = z.infer<typeof arrivalWindowSchema>;

/** How busy the load generator itself was during a window. */
export const generatorHealthSchema = z.strictObject({
  /** p99 of the event loop's delay (µs). */
  loopDelayP99Us: z.number().nonnegative(),
  /** Event-loop utilization of the worker's thread, 0..1 (CPU spent running JavaScript). */
  cpu: z.number().nonnegative(),
  /** The database runs on the generator's own thread (synchronous SQLite, closed model). */
  inline: z.boolean().optional(),
  /** Inline only: p99 of how long a VU waited for the thread while other VUs held it (µs). */
  threadWaitP99Us: z.number().nonnegative().optional(),
});
export type GeneratorHealth = z.infer<typeof generatorHealthSchema>;

/**
 * What a worker emits once per window: the unit every merge works on. One schema whether it
 * crosses a MessagePort or NATS (validated on receipt there, inside the protocol's messages).
 */
export const snapshotSchema = z.strictObject({
  runId: z.string(),
  /** Which worker sent it, e.g. `local/w0`. */
  source: z.string(),
  provider: z.string(),
  phase: z.string(),
  /** Window index from the run's common start. */
  window: count,
  activeVUs: count,
  /**
   * How long the source's load ran within this window (ms): less than the window when it started
   * late or was stopped, so a share that did not fully run is seen even when its snapshot arrives.
   */
  ranMs: z.number().nonnegative(),
  /** Window 0 only: how far after the common start the source's load began (ms). */
  lateStartMs: z.number().nonnegative().optional(),
  operations: z.array(operationWindowSchema),
  arrivals: arrivalWindowSchema.optional(),
  health: generatorHealthSchema.optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
