import { z } from 'zod';
import { snapshotSchema } from '../metrics/snapshot.js';
import { operationSchema } from '../operations/schema.js';
import type { PhasePlan } from '../profiles/stages.js';
import { providerConfigSchema } from '../providers/config.js';

/**
 * The worker ↔ engine messages, one schema each. Over a MessagePort they are not validated (both
 * ends are this code, and the port is on the hot path); over NATS the protocol's messages embed
 * these very schemas and validate them on receipt.
 */

const count = z.number().int().nonnegative();

/** A phase as a task carries it: what a profile plans (PhasePlan), as plain data. */
const phasePlanSchema = z.strictObject({
  name: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  target: z.number().optional(),
}) satisfies z.ZodType<PhasePlan>;

/** Everything a worker needs to rebuild its share of a run: plain data, nothing that is live. */
export const workerTaskSchema = z.strictObject({
  runId: z.string(),
  source: z.string(),
  provider: providerConfigSchema,
  /** Directory that relative custom-provider modules resolve from. */
  baseDir: z.string(),
  workload: z.array(operationSchema),
  operationNames: z.array(z.string()),
  profileType: z.string(),
  /** The profile's own share type: the profile that split it reads it. */
  share: z.unknown(),
  /** Open model: record latency from the intended start and count arrivals. */
  openModel: z.boolean(),
  /** Each window is labelled with the phase planned at its middle. */
  phases: z.array(phasePlanSchema),
  /** VUs this worker runs at its peak: sizes its connection pool. */
  peakVus: count,
  windowMs: z.number().int().positive(),
  /** True when the worker must create the tool's tables itself (a private database). */
  setupInWorker: z.boolean(),
  /** Where this worker's VUs sit among the provider's VUs, and the run's seed (vu-streams.ts). */
  vus: z.strictObject({ seed: z.number().int().nonnegative(), firstId: count, total: count }),
  /** What the scenario's setup returned, handed to every VU (JSON): a script's `data`. */
  setupData: z.unknown().optional(),
});
export type WorkerTask = z.infer<typeof workerTaskSchema>;

/** What a worker's task resolves with: its own count, checked against the merged windows. */
export const workerResultSchema = z.strictObject({
  source: z.string(),
  ok: count,
  errors: count,
  windows: count,
  /** Rows the worker's private database holds at the end (sqlite_memory), for the count check. */
  privateDocuments: count.optional(),
  /** When the load ended, in ms from the common start. */
  endedMs: z.number(),
  /** True when a stop message cut the share short; false when it finished its own work. */
  stopped: z.boolean(),
});
export type WorkerResult = z.infer<typeof workerResultSchema>;

/** Worker → coordinator. */
export const workerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('snapshot'), snapshot: snapshotSchema }),
  /** The last message a worker sends: every snapshot it sent is ahead of it on the port. */
  z.strictObject({ type: z.literal('done'), result: workerResultSchema }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

/** Coordinator → worker. */
export const coordinatorMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), startAt: z.number() }),
  z.strictObject({ type: z.literal('stop') }),
]);
export type CoordinatorMessage = z.infer<typeof coordinatorMessageSchema>;
