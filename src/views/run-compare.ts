import { times, pValue } from '../report/comparison.js';
import { percent, type RunCompare } from '../report/run-compare.js';
import { formatTable, msFigure } from './table.js';

/** `stampede compare`: one row per provider × operation, the base and the new run's p95 side by side. */
export function renderRunCompare(c: RunCompare): string {
  const rows = c.rows.map((r) => [
    r.provider,
    r.operation,
    msFigure(r.base),
    msFigure(r.candidate),
    Number.isFinite(r.ratio) ? `${times(r.ratio)}×` : 'n/a',
    r.low === null || r.high === null ? 'n/a' : `${times(r.low)}–${times(r.high)}×`,
    pValue(r.p),
    r.regression ? 'REGRESSION' : r.significant ? (r.ratio > 1 ? 'slower (within margin)' : 'faster') : '~',
  ]);
  const table = formatTable(['provider', 'operation', 'base p95 ms', 'new p95 ms', 'new/base', '95 % CI', 'p', 'verdict'], rows, 2);
  const regressions = c.rows.filter((r) => r.regression).length;
  const lines = [
    `compare: ${c.base.name} ${c.base.runId.slice(0, 8)} (base) vs ${c.candidate.runId.slice(0, 8)} (new)`,
    'p95 latency (mean over windows), lower is better; separate runs compared window by window: drift between them is not cancelled',
    table,
    ...(c.unmatched.length > 0 ? [`in one run only: ${c.unmatched.join(', ')}`] : []),
    ...[c.base, c.candidate].flatMap((r, i) =>
      r.status === 'complete' ? [] : [`note: the ${i === 0 ? 'base' : 'new'} run is ${r.status}: its windows are fewer or flagged`],
    ),
    regressions > 0
      ? `${regressions} regression${regressions > 1 ? 's' : ''} (significant and slower by more than ${percent(c.margin)})`
      : `no regression beyond ${percent(c.margin)}`,
  ];
  return lines.join('\n');
}
