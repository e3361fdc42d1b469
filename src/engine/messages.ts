import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { PhasePlan } from '../profiles/stages.js';

/** Everything a worker needs to rebuild its share of a run: plain data, nothing that is live. */
export interface WorkerTask {
  runId: string;
  source: string;
  provider: ProviderConfig;
  /** Directory that relative custom-provider modules resolve from. */
  baseDir: string;
  workload: OperationConfig[];
  operationNames: string[];
  profileType: string;
  share: unknown;
  /** Open model: record latency from the intended start and count arrivals. */
  openModel: boolean;
  /** Each window is labelled with the phase planned at its middle. */
  phases: PhasePlan[];
  /** VUs this worker runs at its peak: sizes its connection pool. */
  peakVus: number;
  windowMs: number;
  /** True when the worker must create the tool's tables itself (a private database). */
  setupInWorker: boolean;
}

/** Worker → coordinator. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'snapshot'; snapshot: Snapshot }
  /** The last message a worker sends: every snapshot it sent is ahead of it on the port. */
  | { type: 'done'; result: WorkerResult }
  | { type: 'failed'; message: string };

/** Coordinator → worker. */
export type CoordinatorMessage = { type: 'start'; startAt: number } | { type: 'stop' };

/** What a worker's task resolves with: its own count, checked against the merged windows. */
export interface WorkerResult {
  source: string;
  ok: number;
  errors: number;
  windows: number;
  /** Rows the worker's private database holds at the end (sqlite_memory), for the count check. */
  privateDocuments?: number;
  /** When the load ended, in ms from the common start. */
  endedMs: number;
  /** True when a stop message cut the share short; false when it finished its own work. */
  stopped: boolean;
}
