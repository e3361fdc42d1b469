import { hostname, availableParallelism } from 'node:os';
import { redactDeep } from '../config/redact.js';
import type { ProviderRun, RunResult } from '../engine/engine.js';
import { errorTotal } from '../metrics/errors.js';
import type { Merged } from '../metrics/aggregate.js';
import { profileFor } from '../profiles/index.js';
import { VERSION } from '../version.js';
import { type OperationReport, type ProviderReport, REPORT_SCHEMA_VERSION, type Report, type WindowReport } from './types.js';

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
    partial: result.status !== 'complete',
    startedAt: new Date(result.startedAt).toISOString(),
    endedAt: new Date(result.endedAt).toISOString(),
    scenario: { file: plan.file, definition: plan.scenario },
    plan: { workers: plan.workers, windowMs: plan.windowMs, profile: plan.profile, keepData: plan.keepData },
    model: profileFor(plan.profile.type).closedModel
      ? { kind: 'closed', note: CLOSED_NOTE }
      : { kind: 'open', note: 'Open model: latency is measured from the intended start.' },
    environment: runEnvironment(),
    providers: result.providers.map((run) => providerReport(run, plan.operationNames, plan.windowMs)),
  } satisfies Report);
}

/** Where a run happened, for any report that compares figures across machines. */
export function runEnvironment(): Report['environment'] {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism(), hostname: hostname() };
}

function providerReport(run: ProviderRun, operationNames: string[], windowMs: number): ProviderReport {
  const activeMs = run.activeMs ?? run.endedAt - run.startedAt;
  const durationSec = Math.max(0, activeMs / 1000);
  const agg = run.aggregator;
  const sourcesSeen = new Set(run.workers.map((w) => w.source)).size || agg.sources().length;
  const byWorker = new Map(run.workers.map((w) => [w.source, w]));
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
      const seconds = Math.min(windowMs, Math.max(1, activeMs - i * windowMs)) / 1000;
      return {
        window: i,
        startMs: i * windowMs,
        phase: w.phase,
        activeVUs: w.activeVUs,
        ok: w.ok,
        failed: w.errors,
        opsPerSec: round(w.ok / seconds, 1),
        latencyUs: { p50: w.latencyUs.p50, p95: w.latencyUs.p95, p99: w.latencyUs.p99, max: w.latencyUs.max },
        complete: w.sources >= sourcesSeen,
      };
    }),
    sources: agg.sources().map((s) => {
      const w = byWorker.get(s.source);
      return w ? { ...s, workerOk: w.ok, workerErrors: w.errors } : s;
    }),
  };
  if (run.documents) report.verification = { documents: run.documents };
  if (run.failure) report.failure = run.failure;
  return report;
}

function operationReport(operation: string, m: Merged, durationSec: number): OperationReport {
  const failed = errorTotal(m.errors);
  return {
    operation,
    count: m.ok + failed,
    ok: m.ok,
    failed,
    errors: m.errors,
    opsPerSec: durationSec > 0 ? round(m.ok / durationSec, 1) : 0,
    latencyUs: m.latencyUs,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
