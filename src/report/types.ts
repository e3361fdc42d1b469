import type { ErrorsByClass } from '../metrics/errors.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { RunStatus } from '../engine/engine.js';
import type { Comparison } from '../api/comparison.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface OperationReport {
  operation: string;
  /** ok + failed. */
  count: number;
  ok: number;
  failed: number;
  errors: ErrorsByClass;
  opsPerSec: number;
  /** Service time from the operation's actual start, in microseconds. */
  latencyUs: LatencySummary;
  /** Timed parts of the operation (connect, query), each from its own histogram, in microseconds. */
  partsUs?: Record<string, LatencySummary>;
}

export interface WindowReport {
  window: number;
  /** Milliseconds from the provider run's start to the window's start. */
  startMs: number;
  phase: string;
  activeVUs: number;
  ok: number;
  failed: number;
  opsPerSec: number;
  latencyUs: Pick<LatencySummary, 'p50' | 'p95' | 'p99' | 'max'>;
  /** False when a source's snapshot for this window is missing. */
  complete: boolean;
}

export interface ProviderReport {
  name: string;
  provider: string;
  connection: Record<string, unknown>;
  startedAt: string;
  endedAt: string;
  durationSec: number;
  total: OperationReport;
  operations: OperationReport[];
  windows: WindowReport[];
  sources: Array<{ source: string; ok: number; errors: number; workerOk?: number; workerErrors?: number }>;
  verification?: { documents?: { reported: number; database: number; match: boolean } };
  failure?: string;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'stampede'; version: string };
  runId: string;
  name: string;
  status: RunStatus;
  partial: boolean;
  startedAt: string;
  endedAt: string;
  scenario: { file?: string; definition: unknown };
  plan: { workers: number; windowMs: number; profile: unknown; keepData: boolean };
  model: { kind: 'closed' | 'open'; note: string };
  environment: { node: string; platform: string; arch: string; cpus: number; hostname: string };
  providers: ProviderReport[];
  /** With several providers: each operation's providers side by side, with verdicts. */
  comparisons?: Comparison[];
}
