import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Report } from '../../report/types.js';
import { CLIENT_SCRIPT } from './client.js';
import { type ChartModel, chartModel } from './model.js';
import { escapeHtml, reportSections } from './sections.js';

let uplot: { js: string; css: string } | undefined;

/** uPlot's own files, inlined so the page needs nothing but itself. */
function uplotAssets(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    uplot = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplot;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin: 14px 0 6px; }
table { border-collapse: collapse; margin: 4px 0 10px; } th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
table.num td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; } .bad { color: #c00; font-weight: 600; } .warn { color: #b35900; } .muted { color: #666; } .note { color: #555; font-size: 13px; }
.controls { margin: 6px 0; } .chart { margin: 8px 0 16px; } pre { background: #f6f6f6; padding: 8px; overflow: auto; max-height: 400px; }
.status-complete { color: #1a7f37; } .status-degraded, .status-partial { color: #b35900; } .status-failed { color: #c00; }
`;

/**
 * The body shared by the report and the live dashboard: the charts' places and controls, then
 * (for a finished run) every table. `data` is JSON where "<" is escaped, so no value can close the
 * script element it sits in.
 */
function page(title: string, heading: string, model: ChartModel & { live?: boolean }, sections: string): string {
  const { js, css } = uplotAssets();
  const data = JSON.stringify(model).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${escapeHtml(title)}</title>
<style>${css}${STYLE}</style>
</head><body>
${heading}
<p class="note">Orange strips along a chart's top: windows where the load generator was saturated (one row per provider); red: degraded windows (part of a share missing). Click a legend entry to hide or show its series.</p>
<div id="charts">
<div class="chart" id="chart-throughput"></div>
<div class="chart" id="chart-vus"></div>
<div class="chart" id="chart-errors"></div>
<div class="controls">percentiles <select id="percentile"></select></div>
<div class="chart" id="chart-latency"></div>
<div class="controls">operation <select id="operation"></select></div>
<div class="chart" id="chart-operation"></div>
</div>
${sections}
<script>${js}</script>
<script type="application/json" id="stampede-data">${data}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}

/** The self-contained HTML report of a finished run: opens from disk, requests nothing. */
export function renderHtml(report: Report): string {
  const heading =
    `<h1>${escapeHtml(report.name)}: <span class="status-${report.status}">${escapeHtml(report.status)}</span></h1>\n` +
    `<p class="note">run ${escapeHtml(report.runId)}, ${escapeHtml(report.startedAt)} – ${escapeHtml(report.endedAt)}, ` +
    `${report.providers.length} provider(s), ${report.model.kind} model, windows of ${report.plan.windowMs} ms</p>`;
  return page(`stampede: ${report.name}`, heading, chartModel(report), reportSections(report));
}

/** What the dashboard knows before the first window: the providers, the window, the planned phases. */
export interface LiveSkeleton {
  name: string;
  runId: string;
  windowMs: number;
  open: boolean;
  providers: string[];
  operations: string[];
  phases: ChartModel['phases'];
}

/** The dashboard's page while the run goes on: empty charts that each window's event fills. */
export function renderLiveHtml(s: LiveSkeleton): string {
  const empty = (): (number | null)[] => [];
  const model: ChartModel & { live: true } = {
    live: true,
    x: [],
    windowsPerPoint: 1,
    windowSec: s.windowMs / 1000,
    open: s.open,
    operations: s.operations,
    providers: s.providers.map((name) => ({
      name,
      opsPerSec: empty(),
      activeVUs: empty(),
      errorsPerSec: empty(),
      p50: empty(),
      p95: empty(),
      p99: empty(),
      ...(s.open ? { corrected: { p50: empty(), p95: empty(), p99: empty() } } : {}),
      operations: Object.fromEntries(s.operations.map((op) => [op, empty()])),
      saturated: [],
      degraded: [],
    })),
    phases: s.phases,
    markers: [],
  };
  const heading = `<h1>${escapeHtml(s.name)}: <span id="live-status">live: waiting for the first window</span></h1>\n<p class="note">run ${escapeHtml(s.runId)}, windows of ${s.windowMs} ms; the full report replaces this page when the run ends</p>`;
  return page(`stampede (live): ${s.name}`, heading, model, '');
}
