import { hostname, availableParallelism } from 'node:os';
import { redactDeep } from '../util/secrets.js';
import type { ProviderRun, RunResult, SiteShare } from '../engine/engine.js';
import { errorTotal } from '../metrics/errors.js';
import type { Merged } from '../metrics/aggregate.js';
import { SHORTFALL_TOLERANCE_MS, windowShortfalls } from '../metrics/coverage.js';
import { isOpenModel, profileFor } from '../profiles/index.js';
import type { RunPlan } from '../plan/plan.js';
import { rampCapacity } from './capacity.js';
import { arrivalReport, phaseReports, round } from './phases.js';
import { spikeRecovery } from './recovery.js';
import { VERSION } from '../version.js';
import {
  type OperationReport,
  type ProviderReport,
  REPORT_SCHEMA_VERSION,
  type Report,
  type SiteReport,
  type WindowReport,
} from './types.js';

const OPEN_NOTE =
  'Open model (arrival rate): "corrected" latency counts from the intended start, so queueing ' +
  'delay is included (coordinated omission corrected); "service" time counts from the actual start.';

const CLOSED_NOTE =
  'Closed model (a fixed number of VUs): latency is service time; when the database slows down, ' +
  'VUs send less, so queueing delay is hidden. Use an arrival-rate profile to see it.';

/** Renders a run into the versioned report every view is made from. Secrets are masked here too. */
export function buildReport(result: RunResult): Report {
  const { plan } = result;
  return redactDeep({
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'stampede', version: VERSION },
    runId: plan.runId,
    name: plan.name,
    status: result.status,
    partial: result.status === 'partial' || result.status === 'failed',
    startedAt: new Date(result.startedAt).toISOString(),
    endedAt: new Date(result.endedAt).toISOString(),
    scenario: { file: plan.file, definition: plan.scenario },
    plan: { workers: plan.workers, windowMs: plan.windowMs, profile: plan.profile, keepData: plan.keepData },
    model: isOpenModel(plan.profile) ? { kind: 'open', note: OPEN_NOTE } : { kind: 'closed', note: CLOSED_NOTE },
    environment: runEnvironment(),
    providers: result.providers.map((run) => providerReport(run, plan)),
  } satisfies Report);
}

/** Where a run happened, for any report that compares figures across machines. */
export function runEnvironment(): Report['environment'] {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism(), hostname: hostname() };
}

function providerReport(run: ProviderRun, plan: RunPlan): ProviderReport {
  const { operationNames, windowMs } = plan;
  const profile = profileFor(plan.profile.type);
  // Interleaved blocks: the provider ran for less than its first start to its last end.
  const activeMs = run.activeMs ?? run.endedAt - run.startedAt;
  const durationSec = Math.max(0, activeMs / 1000);
  const agg = run.aggregator;
  const sourcesSeen = new Set(run.workers.map((w) => w.source)).size || agg.sources().length;
  const byWorker = new Map(run.workers.map((w) => [w.source, w]));
  const shortfalls = windowShortfalls(agg, run.shares, windowMs);
  const windowSeconds = (i: number): number => Math.min(windowMs, Math.max(1, activeMs - i * windowMs)) / 1000;
  const report: ProviderReport = {
    name: run.config.name,
    provider: run.config.provider,
    connection: run.connection,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date(run.endedAt).toISOString(),
    durationSec: round(durationSec, 3),
    total: operationReport('total', agg.merged(), durationSec),
    operations: operationNames.map((name) => {
      const op = operationReport(name, agg.merged(name), durationSec);
      const parts = agg.parts(name);
      if (parts.length > 0) op.partsUs = Object.fromEntries(parts.map((part) => [part, agg.mergedPart(name, part).latencyUs]));
      return op;
    }),
    windows: agg.windowIndices().map((i): WindowReport => {
      const w = agg.windowFigures(i)!;
      const seconds = windowSeconds(i);
      const window: WindowReport = {
        window: i,
        startMs: i * windowMs,
        phase: w.phase,
        activeVUs: w.activeVUs,
        ok: w.ok,
        failed: w.errors,
        opsPerSec: round(w.ok / seconds, 1),
        latencyUs: { p50: w.latencyUs.p50, p95: w.latencyUs.p95, p99: w.latencyUs.p99, max: w.latencyUs.max },
        complete: w.sources >= sourcesSeen,
        saturated: w.saturated,
        ...degradation(shortfalls.get(i)),
      };
      if (w.arrivals) {
        Object.assign(window, { intended: w.arrivals.intended, started: w.arrivals.started, dropped: w.arrivals.dropped });
        window.lagUs = arrivalReport(w.arrivals).lagUs;
      }
      if (w.correctedUs)
        window.correctedLatencyUs = { p50: w.correctedUs.p50, p95: w.correctedUs.p95, p99: w.correctedUs.p99, max: w.correctedUs.max };
      if (w.health) window.generator = w.health;
      return window;
    }),
    saturatedWindows: [],
    sources: agg.sources().map((s) => {
      const w = byWorker.get(s.source);
      return w ? { ...s, workerOk: w.ok, workerErrors: w.errors } : s;
    }),
    sites: run.sites.map((share) => siteReport(share, run, durationSec)),
  };
  if (run.lost.length || shortfalls.size || report.sites.some((s) => s.lateStartMs !== undefined)) report.degraded = true;
  report.saturatedWindows = report.windows.filter((w) => w.saturated).map((w) => w.window);
  const arrivals = agg.arrivals();
  if (arrivals) report.arrivals = arrivalReport(arrivals);
  const phasePlans = profile.phases?.(plan.profile) ?? [];
  if (phasePlans.length > 0) {
    const phases = phaseReports(agg, phasePlans, report.windows, (w) => windowSeconds(w.window));
    report.phases = phases;
    const analysis = profile.analysis?.(plan.profile);
    if (analysis?.kind === 'spike') {
      const recovery = spikeRecovery(phases, report.windows, windowMs);
      if (recovery) report.spike = recovery;
    }
    if (analysis?.kind === 'ramp') report.ramp = rampCapacity(phases, analysis.sloP95Ms * 1000);
  }
  if (run.documents) report.verification = { documents: run.documents };
  if (run.server) report.server = run.server;
  if (run.teardown) report.teardown = run.teardown;
  if (run.failure) report.failure = run.failure;
  return report;
}

function degradation(shortfall: { missing: string[]; short: string[] } | undefined): Pick<WindowReport, 'degraded' | 'missing' | 'short'> {
  if (!shortfall) return {};
  return {
    degraded: true,
    ...(shortfall.missing.length ? { missing: shortfall.missing } : {}),
    ...(shortfall.short.length ? { short: shortfall.short } : {}),
  };
}

function siteReport(share: SiteShare, run: ProviderRun, durationSec: number): SiteReport {
  const mine = new Set(share.sources);
  const counted = run.aggregator.sources().filter((s) => mine.has(s.source));
  const lost = run.lost.find((l) => mine.has(l.source));
  const info = share.info as { host?: string; id?: string; version?: string } | undefined;
  const lateStartMs = Math.max(0, ...counted.map((s) => s.lateStartMs));
  return {
    site: share.site,
    ...(info ? { host: info.host, id: info.id, version: info.version } : {}),
    workers: share.sources.length,
    peakVus: share.peakVus,
    ok: counted.reduce((n, s) => n + s.ok, 0),
    errors: counted.reduce((n, s) => n + s.errors, 0),
    opsPerSec: durationSec > 0 ? round(counted.reduce((n, s) => n + s.ok, 0) / durationSec, 1) : 0,
    latencyUs: run.aggregator.sourcesLatency(share.sources),
    ...(share.clock ? { clockOffsetMs: share.clock.offsetMs, rttMs: round(share.clock.rttMs, 1), startLeadMs: share.startLeadMs } : {}),
    ...(lateStartMs > SHORTFALL_TOLERANCE_MS ? { lateStartMs: Math.round(lateStartMs) } : {}),
    ...(lost ? { lost: { atMs: lost.atMs, reason: lost.reason } } : {}),
  };
}

function operationReport(operation: string, m: Merged, durationSec: number): OperationReport {
  const failed = errorTotal(m.errors);
  const report: OperationReport = {
    operation,
    count: m.ok + failed,
    ok: m.ok,
    failed,
    errors: m.errors,
    opsPerSec: durationSec > 0 ? round(m.ok / durationSec, 1) : 0,
    latencyUs: m.latencyUs,
  };
  if (m.correctedUs) report.correctedLatencyUs = m.correctedUs;
  return report;
}
