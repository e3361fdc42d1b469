import { hostname, availableParallelism } from 'node:os';
import { redactDeep } from '../util/secrets.js';
import { isDegraded, profileSlices, type ProviderRun, type RunResult, type SiteRun } from '../engine/engine.js';
import { errorTotal } from '../metrics/errors.js';
import type { Merged, RunFigures, WindowFigures } from '../metrics/aggregate.js';
import { SHORTFALL_TOLERANCE_MS, type WindowShortfall } from '../metrics/coverage.js';
import { noLatency } from '../metrics/histogram.js';
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
  type SourceReport,
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
  const report = redactDeep({
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'stampede', version: VERSION },
    runId: plan.runId,
    name: plan.name,
    status: result.status,
    partial: result.status === 'partial' || result.status === 'failed',
    startedAt: new Date(result.startedAt).toISOString(),
    endedAt: new Date(result.endedAt).toISOString(),
    scenario: { file: plan.file, definition: plan.scenario },
    plan: { workers: plan.workers, windowMs: plan.windowMs, profile: plan.profile, keepData: plan.keepData, seed: plan.seed },
    model: isOpenModel(plan.profile) ? { kind: 'open', note: OPEN_NOTE } : { kind: 'closed', note: CLOSED_NOTE },
    environment: runEnvironment(),
    providers: result.providers.map((run) => providerReport(run, plan)),
  } satisfies Report);
  // Encoded histograms join after masking: they are binary data, where a short secret may show up
  // by chance, and masking it there would corrupt them.
  result.providers.forEach((run, i) => addHistograms(report.providers[i]!, run.figures, plan.operationNames));
  return report;
}

function addHistograms(report: ProviderReport, figures: RunFigures, operationNames: readonly string[]): void {
  operationNames.forEach((name, j) => {
    const histograms = figures.operations.find((o) => o.operation === name)?.histograms;
    if (histograms) report.operations[j]!.histograms = histograms;
  });
}

/** Where a run happened, for any report that compares figures across machines. */
export function runEnvironment(): Report['environment'] {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism(), hostname: hostname() };
}

function providerReport(run: ProviderRun, plan: RunPlan): ProviderReport {
  // Interleaved blocks: the provider ran for less than its first start to its last end.
  const durationSec = Math.max(0, run.activeMs / 1000);
  const windows = windowReports(run, plan);
  const sites = run.sites.map((site) => siteReport(site, run, durationSec));
  return {
    name: run.config.name,
    provider: run.config.provider,
    connection: run.connection,
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date(run.endedAt).toISOString(),
    durationSec: round(durationSec, 3),
    total: operationReport('total', run.figures.total, durationSec),
    operations: plan.operationNames.map((name) => namedOperationReport(run.figures, name, durationSec)),
    windows,
    saturatedWindows: windows.filter((w) => w.saturated).map((w) => w.window),
    sources: sourceReports(run),
    sites,
    ...(isDegraded(run) ? { degraded: true } : {}),
    ...profileReports(run, plan, windows),
    ...(run.documents ? { verification: { documents: run.documents } } : {}),
    ...(run.server ? { server: run.server } : {}),
    ...(run.teardown ? { teardown: run.teardown } : {}),
    ...(run.consistency ? { consistency: run.consistency } : {}),
    ...(run.setup ? { setup: run.setup } : {}),
    ...(run.scenarioTeardown ? { scenarioTeardown: run.scenarioTeardown } : {}),
    ...(run.failure ? { failure: run.failure } : {}),
  };
}

/** How long window `i` ran, in seconds: a whole window, except the last, which the end cuts short. */
function windowSeconds(run: ProviderRun, windowMs: number, i: number): number {
  return Math.min(windowMs, Math.max(1, run.activeMs - i * windowMs)) / 1000;
}

function windowReports(run: ProviderRun, plan: RunPlan): WindowReport[] {
  const { windowMs } = plan;
  const sourcesSeen = new Set(run.workers.map((w) => w.source)).size || run.figures.sources.length;
  const interleaved = run.blockStarts.length > 1;
  const leftover = leftoverWindow(run, plan);
  return run.figures.windows.map((w) => {
    const window: WindowReport = {
      window: w.window,
      startMs: w.window * windowMs,
      ...(interleaved ? { block: blockOf(run.blockStarts, w.window) } : {}),
      phase: w.phase,
      activeVUs: w.activeVUs,
      ok: w.ok,
      failed: w.failed,
      opsPerSec: round(w.ok / windowSeconds(run, windowMs, w.window), 1),
      latencyUs: percentiles(w.latencyUs),
      operations: w.operations,
      complete: w.sources >= sourcesSeen,
      ...shortfallFlags(w.saturated && !leftover(w.window), run.shortfalls.get(w.window)),
    };
    return Object.assign(window, openModelWindow(w), w.health ? { generator: w.health } : {});
  });
}

/**
 * A window that starts at or after its block's planned end holds only the operations still in
 * flight at the end, while the generator stops its workers and sends their last figures: its
 * event-loop figures are the wind-down's, not a sign the generator set the pace of the load.
 */
export function leftoverWindow(run: Pick<ProviderRun, 'blockStarts'>, plan: RunPlan): (window: number) => boolean {
  const blocks = plan.interleave ?? 1;
  const plannedMs = (blocks > 1 ? profileSlices(plan, blocks) : [plan.profile]).map((p) => profileFor(p.type).durationMs(p));
  return (window) => {
    const block = Math.max(0, blockOf(run.blockStarts, window));
    const end = plannedMs[block];
    return end !== undefined && (window - (run.blockStarts[block] ?? 0)) * plan.windowMs >= end;
  };
}

/** The block (round) a window ran in, from the first window of each block. */
function blockOf(blockStarts: readonly number[], window: number): number {
  return blockStarts.filter((start) => start <= window).length - 1;
}

function percentiles(l: WindowFigures['latencyUs']): WindowReport['latencyUs'] {
  return { p50: l.p50, p95: l.p95, p99: l.p99, max: l.max };
}

function openModelWindow(w: WindowFigures): Partial<WindowReport> {
  if (!w.arrivals) return {};
  const { intended, started, dropped } = w.arrivals;
  return {
    intended,
    started,
    dropped,
    lagUs: arrivalReport(w.arrivals).lagUs,
    ...(w.correctedUs ? { correctedLatencyUs: percentiles(w.correctedUs) } : {}),
  };
}

/**
 * A window that lacks part of a share: degraded when another process owed it; when only this
 * machine's own workers ran short (a thread that started late), the generator set the pace.
 */
function shortfallFlags(
  saturated: boolean,
  shortfall: WindowShortfall | undefined,
): Pick<WindowReport, 'saturated' | 'degraded' | 'missing' | 'short'> {
  if (!shortfall) return { saturated };
  return {
    saturated: saturated || shortfall.localOnly,
    ...(shortfall.localOnly ? {} : { degraded: true }),
    ...(shortfall.missing.length ? { missing: shortfall.missing } : {}),
    ...(shortfall.short.length ? { short: shortfall.short } : {}),
  };
}

/** Each source's counts as merged from its snapshots, beside what the worker itself counted. */
function sourceReports(run: ProviderRun): SourceReport[] {
  const byWorker = new Map(run.workers.map((w) => [w.source, w]));
  return run.figures.sources.map((s) => {
    const w = byWorker.get(s.source);
    return w ? { ...s, workerOk: w.ok, workerFailed: w.errors } : s;
  });
}

function siteReport(site: SiteRun, run: ProviderRun, durationSec: number): SiteReport {
  const mine = new Set(site.sources);
  const counted = run.figures.sources.filter((s) => mine.has(s.source));
  const lost = run.lost.find((l) => mine.has(l.source));
  const info = site.info as { host?: string; id?: string; version?: string } | undefined;
  const lateStartMs = Math.max(0, ...counted.map((s) => s.lateStartMs));
  const ok = counted.reduce((n, s) => n + s.ok, 0);
  return {
    site: site.site,
    ...(info ? { host: info.host, id: info.id, version: info.version } : {}),
    workers: site.sources.length,
    peakVUs: site.peakVus,
    ok,
    failed: counted.reduce((n, s) => n + s.failed, 0),
    opsPerSec: durationSec > 0 ? round(ok / durationSec, 1) : 0,
    latencyUs: site.latencyUs,
    ...(site.clock ? { clockOffsetMs: site.clock.offsetMs, rttMs: round(site.clock.rttMs, 1), startLeadMs: site.startLeadMs } : {}),
    ...(lateStartMs > SHORTFALL_TOLERANCE_MS ? { lateStartMs: Math.round(lateStartMs) } : {}),
    ...(lost ? { lost: { atMs: lost.atMs, reason: lost.reason } } : {}),
  };
}

/** Arrivals, the phases, and what the profile works out from them (a spike's recovery, a ramp's capacity). */
function profileReports(
  run: ProviderRun,
  plan: RunPlan,
  windows: WindowReport[],
): Pick<ProviderReport, 'arrivals' | 'phases' | 'spike' | 'ramp'> {
  const out: Pick<ProviderReport, 'arrivals' | 'phases' | 'spike' | 'ramp'> = {};
  if (run.figures.arrivals) out.arrivals = arrivalReport(run.figures.arrivals);
  const profile = profileFor(plan.profile.type);
  const plans = profile.phases?.(plan.profile) ?? [];
  if (plans.length === 0) return out;
  const phases = phaseReports(run.figures.phases, plans, windows, (w) => windowSeconds(run, plan.windowMs, w.window));
  out.phases = phases;
  const analysis = profile.analysis?.(plan.profile);
  if (analysis?.kind === 'spike') {
    const recovery = spikeRecovery(phases, windows, plan.windowMs);
    if (recovery) out.spike = recovery;
  }
  if (analysis?.kind === 'ramp') out.ramp = rampCapacity(phases, analysis.sloP95Ms * 1000);
  return out;
}

/** One operation's report; one that never ran (no ok, no failure) has empty figures. */
function namedOperationReport(figures: RunFigures, name: string, durationSec: number): OperationReport {
  const op = figures.operations.find((o) => o.operation === name);
  if (!op) return operationReport(name, { ok: 0, errors: {}, latencyUs: noLatency() }, durationSec);
  const report = operationReport(name, op, durationSec);
  if (op.partsUs) report.partsUs = op.partsUs;
  return report;
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
