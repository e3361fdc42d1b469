import type { Report } from './types.js';
import { count, formatTable, ms } from './table.js';

/** The end-of-run summary: one row per provider × operation, latency in ms. */
export function renderSummary(report: Report): string {
  const rows: string[][] = [];
  for (const p of report.providers) {
    const ops = p.operations.length > 1 ? [...p.operations, p.total] : p.operations;
    for (const op of ops) {
      const l = op.latencyUs;
      rows.push([p.name, op.operation, count(op.ok), count(op.failed), count(op.opsPerSec), ms(l.mean), ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max)]);
    }
  }
  const header = ['provider', 'operation', 'ok', 'errors', 'ops/s', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const lines = [
    `run ${report.runId} (${report.name}): ${report.status}`,
    formatTable(header, rows, 2),
  ];
  for (const p of report.providers) {
    const doc = p.verification?.documents;
    if (doc) {
      lines.push(
        doc.match
          ? `${p.name}: the database holds ${count(doc.database)} inserted rows, as reported`
          : `${p.name}: MISMATCH: reported ${count(doc.reported)} inserts, the database holds ${count(doc.database)}`,
      );
    }
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
        const lost = site.lost ? `, LOST after ${(site.lost.atMs / 1000).toFixed(1)}s (${site.lost.reason})` : '';
        lines.push(`${p.name}: ${site.site}${where}: ${site.workers} workers, ${count(site.peakVus)} VUs, ${count(site.ok)} ok, ${count(site.errors)} errors${lost}`);
      }
    }
    const degraded = p.windows.filter((w) => w.degraded).map((w) => w.window);
    if (degraded.length) lines.push(`${p.name}: DEGRADED: windows ${degraded.join(', ')} lack a lost agent's share`);
    if (p.failure) lines.push(`${p.name}: run failed: ${p.failure}`);
  }
  if (report.model.kind === 'closed') lines.push(`note: ${report.model.note}`);
  return lines.join('\n');
}
