import type { ErrorsByClass } from '../metrics/errors.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { RunStatus } from '../engine/engine.js';
import type { ServerFigures } from '../engine/server-check.js';

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
  /** True when a lost agent's share is missing from this window: its figures are low. */
  degraded?: boolean;
  /** The lost sources without a snapshot in this window. */
  missing?: string[];
}

/** One site's share of a provider run: the local workers, or one agent. */
export interface SiteReport {
  site: string;
  host?: string;
  id?: string;
  version?: string;
  workers: number;
  peakVus: number;
  ok: number;
  errors: number;
  opsPerSec: number;
  /** Set when the agent went silent mid-run. */
  lost?: { atMs: number; reason: string };
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
  sites: SiteReport[];
  /** True when an agent was lost: some windows lack its share (see windows[].degraded). */
  degraded?: boolean;
  verification?: { documents?: { reported: number; database: number; match: boolean } };
  /** The server's own figures before and after the run, and the ok count checked against them. */
  server?: ServerFigures;
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
}
