import { InvalidArgumentError } from 'commander';
import { readReport } from '../report/read.js';
import { compareRuns } from '../report/run-compare.js';
import { compareJunit } from '../views/junit.js';
import { renderRunCompare } from '../views/run-compare.js';
import { compareSummaryMd } from '../views/summary-md.js';
import { type CiFlags, checkCiPaths, writeCiOutputs } from './ci-outputs.js';
import { EXIT } from './exit-code.js';

export interface CompareFlags extends CiFlags {
  failOnRegression?: number;
  force?: boolean;
}

/** `stampede compare base.json new.json`: 5 when a regression is called, 0 otherwise (2 for reports that cannot be compared). */
export function compareCommand(baseFile: string, newFile: string, flags: CompareFlags): number {
  checkCiPaths(flags);
  const base = readReport(baseFile);
  const candidate = readReport(newFile);
  const compared = compareRuns(base, candidate, { margin: flags.failOnRegression, force: flags.force });
  process.stdout.write(`${renderRunCompare(compared)}\n`);
  writeCiOutputs(flags, { junit: () => compareJunit(compared), summaryMd: () => compareSummaryMd(compared) });
  return compared.rows.some((r) => r.regression) ? EXIT.regression : EXIT.complete;
}

/** `--fail-on-regression 10%` (or `0.1`): the margin, as a fraction, beyond which a significant slowdown is a regression. */
export function regressionMargin(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  const margin = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(margin >= 0 && Number.isFinite(margin))) throw new InvalidArgumentError('must be a margin such as 10% or 0.1');
  return margin;
}
