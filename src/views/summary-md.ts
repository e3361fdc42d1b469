import { thresholdLabel } from '../config/thresholds.js';
import { pValue, times } from '../report/comparison.js';
import { percent, type RunCompare } from '../report/run-compare.js';
import { formatMeasure } from '../report/thresholds.js';
import type { Report } from '../report/types.js';
import { latencyText, msFigure } from './table.js';

/** `run --summary-md`: the run in Markdown for a CI job summary (e.g. $GITHUB_STEP_SUMMARY). */
export function runSummaryMd(report: Report): string {
  const lines = [`## stampede run: ${cell(report.name)}`, '', `Status: **${report.status}** · run \`${report.runId}\``, ''];
  lines.push('| provider | ok | failed | ops/s | p50 | p95 | p99 |', '|---|--:|--:|--:|--:|--:|--:|');
  for (const p of report.providers) {
    const l = p.total.latencyUs;
    lines.push(
      `| ${cell(p.name)} | ${p.total.ok} | ${p.total.failed} | ${p.total.opsPerSec} | ${latencyText(l.p50)} | ${latencyText(l.p95)} | ${latencyText(l.p99)} |`,
    );
  }
  if (report.thresholds?.length) {
    const failed = report.thresholds.filter((t) => !t.ok).length;
    lines.push('', `### Thresholds: ${failed === 0 ? 'all passed' : `${failed} of ${report.thresholds.length} failed`}`, '');
    lines.push('| | threshold | measured |', '|---|---|--:|');
    for (const t of report.thresholds) {
      lines.push(`| ${t.ok ? '✅' : '❌'} | \`${cell(thresholdLabel(t))}\` | ${formatMeasure(t.measured, t.unit)} |`);
    }
  }
  if (report.abortedBy) lines.push('', `Stopped early by abortOnFail: \`${cell(report.abortedBy)}\``);
  return `${lines.join('\n')}\n`;
}

/** `compare --summary-md`: each provider × operation of the two runs, with its verdict. */
export function compareSummaryMd(c: RunCompare): string {
  const regressions = c.rows.filter((r) => r.regression).length;
  const lines = [
    `## stampede compare: ${cell(c.base.name)}`,
    '',
    `Base \`${c.base.runId}\` vs new \`${c.candidate.runId}\`: ${regressions === 0 ? `no regression beyond ${percent(c.margin)}` : `**${regressions} regression(s)** beyond ${percent(c.margin)}`}`,
    '',
    '| | provider | operation | base p95 ms | new p95 ms | new/base | 95 % CI | p |',
    '|---|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const r of c.rows) {
    const ci = r.low === null || r.high === null ? 'n/a' : `${times(r.low)}–${times(r.high)}×`;
    const mark = r.regression ? '❌' : r.significant && r.ratio < 1 ? '⬆️' : '✅';
    lines.push(
      `| ${mark} | ${cell(r.provider)} | ${cell(r.operation)} | ${msFigure(r.base)} | ${msFigure(r.candidate)} | ${times(r.ratio)}× | ${ci} | ${pValue(r.p)} |`,
    );
  }
  if (c.unmatched.length > 0) lines.push('', `In one run only: ${c.unmatched.map(cell).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** A table cell: a pipe would end it, a newline the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
