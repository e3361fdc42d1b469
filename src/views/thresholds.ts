import { thresholdLabel } from '../config/thresholds.js';
import type { ThresholdResult } from '../report/threshold-result.js';
import { formatMeasure } from '../report/thresholds.js';
import type { Report } from '../report/types.js';

/** A threshold and its outcome in one line: `ok      p95 < 50ms {provider=pg}  measured 12.3ms`. */
export function thresholdLine(t: ThresholdResult): string {
  return `${t.ok ? 'ok    ' : 'FAILED'}  ${thresholdLabel(t)}  measured ${formatMeasure(t.measured, t.unit)}`;
}

/** The thresholds block of the console summary; empty when the scenario has none. */
export function renderThresholds(report: Pick<Report, 'thresholds' | 'abortedBy'>): string {
  if (!report.thresholds?.length) return '';
  const failed = report.thresholds.filter((t) => !t.ok).length;
  const head = `thresholds: ${failed === 0 ? 'all passed' : `${failed} of ${report.thresholds.length} failed`}`;
  const aborted = report.abortedBy ? `\nrun stopped early by abortOnFail: ${report.abortedBy}` : '';
  return `${head}\n${report.thresholds.map((t) => `  ${thresholdLine(t)}`).join('\n')}${aborted}`;
}
