import type { ErrorsByClass } from '../metrics/errors.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { DocumentCheck, RunStatus, TeardownReport } from '../engine/engine.js';
import type { GeneratorHealth } from '../metrics/snapshot.js';
import type { ServerFigures } from '../engine/server-check.js';
import type { Comparison } from './comparison.js';

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
  /** Open model: latency from the operation's intended (scheduled) start, in microseconds. */
  correctedLatencyUs?: LatencySummary;
  /** Timed parts of the operation (connect, query), each from its own histogram, in microseconds. */
  partsUs?: Record<string, LatencySummary>;
}

/** Open model: every intended arrival was started or dropped (no free VU). */
export interface ArrivalReport {
  intended: number;
  started: number;
  dropped: number;
  /** Schedule lag: actual start − intended start, as pgbench -R reports it. */
  lagUs: { mean: number; p99: number; max: number };
}

type Percentiles = Pick<LatencySummary, 'p50' | 'p95' | 'p99' | 'max'>;

/** One labelled stretch of the run (a stage, before-spike, spike, recovery) on its own. */
export interface PhaseReport {
  phase: string;
  /** Planned start and end, milliseconds from the run's start. */
  startMs: number;
  endMs: number;
  /** The stage's VUs or rate, as planned. */
  target?: number;
  /** The most VUs active at once in the phase's windows. */
  peakVUs: number;
  ok: number;
  failed: number;
  errors: ErrorsByClass;
  errorRate: number;
  opsPerSec: number;
  latencyUs: LatencySummary;
  correctedLatencyUs?: LatencySummary;
  arrivals?: ArrivalReport;
}

/** Spike: from the end of the spike until the windowed p95 is back within 20 % of the pre-spike p95. */
export interface SpikeRecovery {
  baselineP95Us: number;
  thresholdP95Us: number;
  recovered: boolean;
  /** Resolution: one window. Null when the p95 never came back. */
  recoveryMs: number | null;
}

export interface RampStep {
  phase: string;
  users: number;
  opsPerSec: number;
  p95Us: number;
  errorRate: number;
  withinSlo: boolean;
}

/** Ramp: the highest step within the SLO, and the step after which throughput stopped growing. */
export interface RampCapacity {
  sloP95Us: number;
  steps: RampStep[];
  /** Concurrent-user capacity: the highest step with errors < 1 % and p95 under the SLO. */
  capacity: { users: number; phase: string } | null;
  knee: { users: number; phase: string; opsPerSec: number } | null;
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
  latencyUs: Percentiles;
  /** False when a source's snapshot for this window is missing. */
  complete: boolean;
  /** True when part of a share is not in this window (lost, cut off, stopped, started late): its figures are low. */
  degraded?: boolean;
  /** Sources that owed load in this window but whose snapshot never arrived. */
  missing?: string[];
  /** Sources whose snapshot says they ran less of the window than they owed. */
  short?: string[];
  /** Open model: intended = started + dropped. */
  intended?: number;
  started?: number;
  dropped?: number;
  correctedLatencyUs?: Percentiles;
  lagUs?: { mean: number; p99: number; max: number };
  /** The busiest worker's event-loop delay p99 and CPU. */
  generator?: GeneratorHealth;
  /** The generator, not the database, may have set the pace: read this window's latency with care. */
  saturated: boolean;
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
  /** The site's own latency, merged from its own workers' histograms (µs). */
  latencyUs: LatencySummary;
  /** A remote site's clock minus the coordinator's, and the shortest round trip, as measured over NATS (ms). */
  clockOffsetMs?: number;
  rttMs?: number;
  /** How far ahead of its start message the common start was set (ms). */
  startLeadMs?: number;
  /** Set when the site's load began this long after the common start (beyond the tolerance). */
  lateStartMs?: number;
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
  arrivals?: ArrivalReport;
  phases?: PhaseReport[];
  spike?: SpikeRecovery;
  ramp?: RampCapacity;
  /** Indices of windows where the generator was saturated. */
  saturatedWindows: number[];
  sources: Array<{ source: string; ok: number; errors: number; workerOk?: number; workerErrors?: number }>;
  sites: SiteReport[];
  /** True when some window lacks part of a share (see windows[].degraded, sites[].lost, sites[].lateStartMs). */
  degraded?: boolean;
  verification?: { documents?: DocumentCheck };
  /** The server's own figures before and after the run, and the ok count checked against them. */
  server?: ServerFigures;
  /** What teardown did with the tool's tables (absent with --keep-data), or why it failed. */
  teardown?: TeardownReport;
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
