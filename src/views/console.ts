import type { ProviderReport, Report } from '../report/types.js';
import { designLimits } from '../report/design-limits.js';
import { count, formatTable, latencyText, windowLabels } from './table.js';

/** The end-of-run summary: one row per provider × operation, latency with its unit per figure. */
export function renderSummary(report: Report): string {
  const rows: string[][] = [];
  for (const p of report.providers) {
    const ops = p.operations.length > 1 ? [...p.operations, p.total] : p.operations;
    for (const op of ops) {
      const l = op.latencyUs;
      rows.push([
        p.name,
        op.operation,
        count(op.ok),
        count(op.failed),
        count(op.opsPerSec),
        latencyText(l.mean),
        latencyText(l.p50),
        latencyText(l.p95),
        latencyText(l.p99),
        latencyText(l.max),
      ]);
    }
  }
  const header = ['provider', 'operation', 'ok', 'errors', 'ops/s', 'mean', 'p50', 'p95', 'p99', 'max'];
  const open = report.model.kind === 'open';
  const lines = [
    `run ${report.runId} (${report.name}): ${report.status}`,
    ...(open ? ['service time (from the actual start):'] : []),
    formatTable(header, rows, 2),
  ];
  if (open) lines.push('latency from the intended start (corrected):', formatTable(header, correctedRows(report), 2));
  for (const p of report.providers) {
    lines.push(...profileLines(p, report.plan.windowMs));
    const consistency = p.consistency;
    if (consistency) {
      lines.push(
        consistency.ok
          ? `${p.name}: consistent: accounts moved by ${count(consistency.accountsDelta)} = history's deltas, ${count(consistency.historyRows)} history rows for ${count(consistency.transactionsOk)} transactions ok`
          : `${p.name}: INCONSISTENT: ${consistency.error}`,
      );
    }
    const doc = p.verification?.documents;
    if (doc) {
      if (doc.database === null)
        lines.push(`${p.name}: UNVERIFIED: reported ${count(doc.reported)} inserts, but the database could not be counted: ${doc.error}`);
      else if (doc.match && doc.database === doc.reported)
        lines.push(`${p.name}: the database holds ${count(doc.database)} inserted rows, as reported`);
      else if (doc.match) {
        lines.push(
          `${p.name}: the database holds ${count(doc.database)} inserted rows for ${count(doc.reported)} reported: ` +
            `${count(doc.database - doc.reported)} of up to ${count(doc.inDoubt ?? 0)} rows of failed operations, whose connection was lost mid-request, were committed all the same`,
        );
      } else {
        const doubt = doc.inDoubt ? ` (+ up to ${count(doc.inDoubt)} in doubt)` : '';
        lines.push(`${p.name}: MISMATCH: reported ${count(doc.reported)} inserts${doubt}, the database holds ${count(doc.database)}`);
      }
    }
    if (p.server?.error) lines.push(`${p.name}: server figures incomplete: ${p.server.error}`);
    const teardown = p.teardown;
    if (teardown && 'error' in teardown)
      lines.push(`${p.name}: TEARDOWN FAILED: ${teardown.error}; the tool's tables and this run's rows remain`);
    else if (teardown && !teardown.tableDropped)
      lines.push(`${p.name}: its rows deleted; the tool's tables stay: ${count(teardown.otherRuns)} other provider run(s) still use them`);
    const check = p.server?.check;
    if (check) {
      lines.push(
        check.match
          ? `${p.name}: the server counted ${count(check.server)} ${check.counter} for ${count(check.clientOk)} ok operations (+${count(check.excess)} of its own and other clients)`
          : `${p.name}: MISMATCH: ${count(check.clientOk)} ok operations, but the server counted only ${count(check.server)} ${check.counter}`,
      );
    }
    for (const [cls, e] of Object.entries(p.total.errors)) lines.push(`${p.name}: ${count(e.count)} × ${cls}: ${e.sample}`);
    if (p.sites.length > 1 || p.sites[0]?.site !== 'local') {
      for (const site of p.sites) {
        const where = site.host ? ` on ${site.host}` : '';
        const latency = `p50 ${latencyText(site.latencyUs.p50)}, p99 ${latencyText(site.latencyUs.p99)}`;
        const clock =
          site.clockOffsetMs === undefined
            ? ''
            : `, clock ${site.clockOffsetMs >= 0 ? '+' : ''}${site.clockOffsetMs} ms (rtt ${site.rttMs} ms)`;
        const late = site.lateStartMs === undefined ? '' : `, STARTED ${site.lateStartMs} ms LATE`;
        const lost = site.lost ? `, LOST after ${(site.lost.atMs / 1000).toFixed(1)}s (${site.lost.reason})` : '';
        lines.push(
          `${p.name}: ${site.site}${where}: ${site.workers} workers, ${count(site.peakVUs)} VUs, ${count(site.ok)} ok, ${count(site.failed)} errors, ${latency}${clock}${late}${lost}`,
        );
      }
    }
    const degraded = p.windows.filter((w) => w.degraded).map((w) => w.window);
    if (degraded.length)
      lines.push(
        `${p.name}: DEGRADED: ${windowLabels(degraded, report.plan.windowMs)} lack part of a share (missing or short): their figures are low`,
      );
    if (p.failure) lines.push(`${p.name}: run failed: ${p.failure}`);
  }
  lines.push(`note: ${report.model.note}`);
  return lines.join('\n');
}

function correctedRows(report: Report): string[][] {
  const rows: string[][] = [];
  for (const p of report.providers) {
    const ops = p.operations.length > 1 ? [...p.operations, p.total] : p.operations;
    for (const op of ops) {
      const l = op.correctedLatencyUs;
      if (l)
        rows.push([
          p.name,
          op.operation,
          count(op.ok),
          count(op.failed),
          count(op.opsPerSec),
          latencyText(l.mean),
          latencyText(l.p50),
          latencyText(l.p95),
          latencyText(l.p99),
          latencyText(l.max),
        ]);
    }
  }
  return rows;
}

/** Arrivals, phases, spike recovery, ramp capacity and generator saturation of one provider. */
function profileLines(p: ProviderReport, windowMs: number): string[] {
  const lines: string[] = [];
  const a = p.arrivals;
  if (a) {
    lines.push(
      `${p.name}: intended ${count(a.intended)}, started ${count(a.started)}, dropped ${count(a.dropped)} (no free VU); ` +
        `schedule lag avg ${latencyText(a.lagUs.mean)}, p99 ${latencyText(a.lagUs.p99)}, max ${latencyText(a.lagUs.max)}`,
    );
  }
  if (p.phases) {
    const rows = p.phases.map((ph) => {
      const l = ph.correctedLatencyUs ?? ph.latencyUs;
      return [
        ph.phase,
        ph.target === undefined ? '' : count(ph.target),
        count(ph.peakVUs),
        count(ph.opsPerSec),
        latencyText(l.p50),
        latencyText(l.p95),
        latencyText(l.p99),
        count(ph.failed),
      ];
    });
    lines.push(`${p.name} by phase:`, formatTable(['phase', 'target', 'vus', 'ops/s', 'p50', 'p95', 'p99', 'errors'], rows, 1));
  }
  const s = p.spike;
  if (s) {
    lines.push(
      s.recovered
        ? `${p.name}: recovered ${(s.recoveryMs! / 1000).toFixed(1)} s after the spike (p95 back under ${latencyText(s.thresholdP95Us)}, pre-spike p95 ${latencyText(s.baselineP95Us)} + 20 %)`
        : `${p.name}: never recovered: p95 stayed above ${latencyText(s.thresholdP95Us)} (pre-spike p95 ${latencyText(s.baselineP95Us)} + 20 %)`,
    );
  }
  const r = p.ramp;
  if (r) {
    lines.push(
      r.capacity
        ? `${p.name}: concurrent-user capacity ${count(r.capacity.users)} users (${r.capacity.phase}: p95 under ${latencyText(r.sloP95Us)}, errors under 1 %)`
        : `${p.name}: concurrent-user capacity: no step stayed under p95 ${latencyText(r.sloP95Us)} with errors under 1 %`,
      r.knee
        ? `${p.name}: knee at ${count(r.knee.users)} users (${r.knee.phase}, ${count(r.knee.opsPerSec)} ops/s): more users did not add 5 % throughput`
        : `${p.name}: no knee: throughput grew at every step`,
    );
  }
  if (p.saturatedWindows.length > 0) {
    lines.push(
      `${p.name}: WARNING: the load generator was saturated in ${windowLabels(p.saturatedWindows, windowMs)}: their latency is not the database's alone`,
    );
  }
  return lines;
}

/** Comparisons whose design could not reach significance whatever the difference, and the run that could. */
export function renderDesignLimits(report: Report): string {
  return designLimits(report)
    .map((l) => `note: ${l.text}`)
    .join('\n');
}
