import { recommend } from '../../api/recommendations.js';
import { METRICS, pValue, times } from '../../report/comparison.js';
import { designLimits } from '../../report/design-limits.js';
import type { ProviderReport, Report } from '../../report/types.js';
import { count, latencyText, msFigure, windowLabels } from '../table.js';

/** A threshold as checked on the merged figures (the shape `report.thresholds` carries; see PHASE3.md). */
export interface ThresholdView {
  expression: string;
  scope: { provider?: string; operation?: string; phase?: string };
  metric: string;
  comparator: string;
  limit: number;
  unit: 'us' | 'ratio' | 'ops/s' | 'count';
  measured: number | null;
  ok: boolean;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(header: string[], rows: string[][], className = ''): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const text = (s: string): string => escapeHtml(s);
const section = (id: string, title: string, body: string): string =>
  body ? `<section id="${id}"><h2>${text(title)}</h2>\n${body}\n</section>` : '';

/** Every table of the report, as HTML: the summary, verdicts, recommendations, phases, sites, server figures, environment and plan. */
export function reportSections(report: Report): string {
  return [
    section('summary', 'Summary', summary(report)),
    section('thresholds', 'Thresholds', thresholds(report)),
    section('comparisons', 'Comparisons', comparisons(report)),
    section('recommendations', 'Recommendations', recommendations(report)),
    section('phases', 'Phases, ramp and spike', report.providers.map(phases).join('\n')),
    section('windows', 'Flagged windows', report.providers.map((p) => flaggedWindows(p, report.plan.windowMs)).join('\n')),
    section('sites', 'Sites', report.providers.map(sites).join('\n')),
    section('server', 'Server figures and the count check', report.providers.map(server).join('\n')),
    section('errors', 'Errors', errors(report)),
    section('environment', 'Environment and plan', environment(report)),
  ].join('\n');
}

function latencyCells(l: { mean: number; p50: number; p95: number; p99: number; max: number } | undefined): string[] {
  return l ? [latencyText(l.mean), latencyText(l.p50), latencyText(l.p95), latencyText(l.p99), latencyText(l.max)] : ['', '', '', '', ''];
}

function summary(report: Report): string {
  const open = report.model.kind === 'open';
  const rows = report.providers.flatMap((p) =>
    (p.operations.length > 1 ? [...p.operations, p.total] : p.operations).map((op) => [
      text(p.name),
      text(op.operation),
      count(op.ok),
      count(op.failed),
      count(op.opsPerSec),
      ...latencyCells(op.latencyUs),
      ...(open ? latencyCells(op.correctedLatencyUs) : []),
    ]),
  );
  const latency = ['mean', 'p50', 'p95', 'p99', 'max'];
  const header = ['provider', 'operation', 'ok', 'errors', 'ops/s', ...latency, ...(open ? latency.map((h) => `corrected ${h}`) : [])];
  return `${table(header, rows, 'num')}\n<p class="note">${text(report.model.note)}</p>`;
}

function thresholds(report: Report): string {
  const results = (report as { thresholds?: ThresholdView[] }).thresholds;
  if (!results?.length) return '';
  const value = (v: number | null, unit: ThresholdView['unit']): string => {
    if (v === null) return 'no data';
    if (unit === 'us') return latencyText(v);
    if (unit === 'ratio') return `${(v * 100).toFixed(2)} %`;
    return unit === 'ops/s' ? `${count(v)} ops/s` : count(v);
  };
  const rows = results.map((t) => [
    text(t.expression),
    text(
      Object.entries(t.scope)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'all',
    ),
    text(`${t.comparator} ${value(t.limit, t.unit)}`),
    text(value(t.measured, t.unit)),
    t.ok ? '<span class="ok">pass</span>' : '<span class="bad">FAIL</span>',
  ]);
  const aborted = (report as { abortedBy?: string }).abortedBy;
  return (
    table(['threshold', 'scope', 'limit', 'measured', 'result'], rows) +
    (aborted ? `<p class="bad">run aborted by ${text(aborted)}</p>` : '')
  );
}

function comparisons(report: Report): string {
  const out = (report.comparisons ?? []).map((c) => {
    const { label, unit, lowerIsBetter } = METRICS[c.metric];
    const rows = c.providers.map((p) => {
      const d = c.differences.find((x) => x.provider === p.name);
      const value = unit === 'ms' ? msFigure(p.value) : count(p.value);
      if (!d) return [text(p.name), value, '1.00×', '', '', '', 'best'];
      const ci = d.low === null || d.high === null ? 'n/a' : `${times(d.low)}–${times(d.high)}×`;
      const cls = d.significant ? 'bad' : 'muted';
      return [text(p.name), value, `${times(d.ratio)}×`, ci, pValue(d.p), d.design, `<span class="${cls}">${text(d.verdict)}</span>`];
    });
    const title = `${c.test}${c.users === undefined ? '' : ` (${c.users} users)`}: ${label}, ${unit}, ${lowerIsBetter ? 'lower' : 'higher'} is better`;
    return `<h3>${text(title)}</h3>\n${table(['provider', unit, 'vs best', '95 % CI', 'p', 'design', 'verdict'], rows)}\n<p>winner: ${text(c.winner ?? 'no significant difference')}</p>`;
  });
  const limits = designLimits(report).map((l) => `<li class="warn">${text(l.text)}</li>`);
  return out.join('\n') + (limits.length ? `<ul>${limits.join('')}</ul>` : '');
}

function recommendations(report: Report): string {
  const lines = recommend(report.comparisons ?? [], [], []);
  return lines.length ? `<ul>${lines.map((l) => `<li>${text(l)}</li>`).join('')}</ul>` : '';
}

function phases(p: ProviderReport): string {
  const parts: string[] = [];
  if (p.phases?.length) {
    const rows = p.phases.map((ph) => {
      const l = ph.correctedLatencyUs ?? ph.latencyUs;
      return [
        text(ph.phase),
        `${(ph.startMs / 1000).toFixed(1)}–${(ph.endMs / 1000).toFixed(1)} s`,
        ph.target === undefined ? '' : count(ph.target),
        count(ph.peakVUs),
        count(ph.opsPerSec),
        latencyText(l.p50),
        latencyText(l.p95),
        latencyText(l.p99),
        `${(ph.errorRate * 100).toFixed(2)} %`,
      ];
    });
    parts.push(table(['phase', 'planned', 'target', 'peak VUs', 'ops/s', 'p50', 'p95', 'p99', 'errors'], rows));
  }
  const r = p.ramp;
  if (r) {
    parts.push(
      `<p>${text(
        r.capacity
          ? `concurrent-user capacity ${count(r.capacity.users)} users (${r.capacity.phase}: p95 under ${latencyText(r.sloP95Us)}, errors under 1 %)`
          : `concurrent-user capacity: no step stayed under p95 ${latencyText(r.sloP95Us)} with errors under 1 %`,
      )}; ${text(
        r.knee
          ? `knee at ${count(r.knee.users)} users (${r.knee.phase}, ${count(r.knee.opsPerSec)} ops/s): more users did not add 5 % throughput`
          : 'no knee: throughput grew at every step',
      )}</p>`,
    );
  }
  const s = p.spike;
  if (s) {
    parts.push(
      `<p>${text(
        s.recovered
          ? `spike recovery ${(s.recoveryMs! / 1000).toFixed(1)} s (p95 back under ${latencyText(s.thresholdP95Us)}, pre-spike p95 ${latencyText(s.baselineP95Us)} + 20 %)`
          : `never recovered: p95 stayed above ${latencyText(s.thresholdP95Us)} (pre-spike p95 ${latencyText(s.baselineP95Us)} + 20 %)`,
      )}</p>`,
    );
  }
  return parts.length ? `<h3>${text(p.name)}</h3>\n${parts.join('\n')}` : '';
}

function flaggedWindows(p: ProviderReport, windowMs: number): string {
  const saturated = p.windows.filter((w) => w.saturated).map((w) => w.window);
  const degraded = p.windows.filter((w) => w.degraded).map((w) => w.window);
  const lines = [
    ...(saturated.length
      ? [
          `<li class="warn">generator saturated at ${text(windowLabels(saturated, windowMs))}: latency there is not the database's alone</li>`,
        ]
      : []),
    ...(degraded.length
      ? [`<li class="bad">degraded at ${text(windowLabels(degraded, windowMs))}: part of a share is missing, figures are low</li>`]
      : []),
  ];
  return lines.length ? `<h3>${text(p.name)}</h3><ul>${lines.join('')}</ul>` : '';
}

function sites(p: ProviderReport): string {
  const rows = p.sites.map((s) => [
    text(s.site),
    text(s.host ?? ''),
    count(s.workers),
    count(s.peakVUs),
    count(s.ok),
    count(s.failed),
    count(s.opsPerSec),
    latencyText(s.latencyUs.p50),
    latencyText(s.latencyUs.p95),
    latencyText(s.latencyUs.p99),
    s.clockOffsetMs === undefined ? '' : `${s.clockOffsetMs} ms (rtt ${s.rttMs} ms)`,
    text(
      [
        s.lateStartMs === undefined ? '' : `started ${s.lateStartMs} ms late`,
        s.lost ? `lost after ${(s.lost.atMs / 1000).toFixed(1)} s (${s.lost.reason})` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ),
  ]);
  return `<h3>${text(p.name)}</h3>\n${table(['site', 'host', 'workers', 'peak VUs', 'ok', 'errors', 'ops/s', 'p50', 'p95', 'p99', 'clock', 'notes'], rows)}`;
}

function server(p: ProviderReport): string {
  const parts: string[] = [];
  const doc = p.verification?.documents;
  if (doc) {
    const line =
      doc.database === null
        ? `<span class="bad">UNVERIFIED: reported ${count(doc.reported)} inserts, the database could not be counted: ${text(doc.error ?? '')}</span>`
        : doc.match
          ? `<span class="ok">count check: the database holds ${count(doc.database)} rows for ${count(doc.reported)} reported inserts${doc.inDoubt ? ` (+ up to ${count(doc.inDoubt)} in doubt)` : ''}</span>`
          : `<span class="bad">MISMATCH: reported ${count(doc.reported)} inserts, the database holds ${count(doc.database)}</span>`;
    parts.push(`<p>${line}</p>`);
  }
  const s = p.server;
  if (s?.check) {
    const c = s.check;
    parts.push(
      `<p>${
        c.match
          ? `<span class="ok">the server counted ${count(c.server)} ${text(c.counter)} for ${count(c.clientOk)} ok operations (+${count(c.excess)} of its own and other clients)</span>`
          : `<span class="bad">MISMATCH: ${count(c.clientOk)} ok operations, the server counted only ${count(c.server)} ${text(c.counter)}</span>`
      }</p>`,
    );
  }
  if (s?.before || s?.after) {
    const names = [...new Set([...Object.keys(s.before?.counters ?? {}), ...Object.keys(s.after?.counters ?? {})])];
    const cell = (v: number | undefined): string => (v === undefined ? '' : count(v));
    parts.push(
      table(
        ['counter', 'before', 'after', 'delta'],
        names.map((n) => [text(n), cell(s.before?.counters[n]), cell(s.after?.counters[n]), cell(s.delta?.[n])]),
        'num',
      ),
    );
    const facts = Object.entries(s.after?.server ?? s.before?.server ?? {});
    if (facts.length)
      parts.push(
        table(
          ['server', 'value'],
          facts.map(([k, v]) => [text(k), text(typeof v === 'string' ? v : JSON.stringify(v))]),
        ),
      );
  }
  if (s?.error) parts.push(`<p class="warn">server figures incomplete: ${text(s.error)}</p>`);
  if (p.teardown && 'error' in p.teardown) parts.push(`<p class="bad">teardown failed: ${text(p.teardown.error)}</p>`);
  if (p.failure) parts.push(`<p class="bad">run failed: ${text(p.failure)}</p>`);
  return parts.length ? `<h3>${text(p.name)}</h3>\n${parts.join('\n')}` : '';
}

function errors(report: Report): string {
  const rows = report.providers.flatMap((p) =>
    Object.entries(p.total.errors).map(([cls, e]) => [text(p.name), text(cls), count(e.count), text(e.sample)]),
  );
  return rows.length ? table(['provider', 'class', 'count', 'sample'], rows) : '';
}

function environment(report: Report): string {
  const e = report.environment;
  const rows = [
    ['run', text(`${report.runId} (${report.name})`)],
    ['status', text(report.status)],
    ['started', text(report.startedAt)],
    ['ended', text(report.endedAt)],
    ['tool', text(`stampede ${report.tool.version}`)],
    ['machine', text(`${e.hostname}: ${e.platform} ${e.arch}, ${e.cpus} CPUs, Node ${e.node}`)],
    ['workers', count(report.plan.workers)],
    ['window', `${report.plan.windowMs} ms`],
    ['scenario file', text(report.scenario.file ?? '')],
  ];
  const json = (v: unknown): string => `<pre>${text(JSON.stringify(v, null, 2) ?? '')}</pre>`;
  return `${table(['', ''], rows)}\n<h3>profile</h3>${json(report.plan.profile)}\n<details><summary>scenario</summary>${json(report.scenario.definition)}</details>`;
}
