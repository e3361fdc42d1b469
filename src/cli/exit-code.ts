import type { Report } from '../report/types.js';

/** Exit codes of every command (README, `run --help`). */
export const EXIT = {
  complete: 0,
  /** The run failed, or its count could not be vouched for; an internal error. */
  failed: 1,
  /** Bad input (a UserError): one line naming what and where. */
  badInput: 2,
  /** The run finished, but some window lacks part of a share (a remote share missing). */
  degraded: 3,
  /** A threshold failed (or stopped the run with abortOnFail). */
  threshold: 4,
  /** `stampede compare` called a regression. */
  regression: 5,
  interrupted: 130,
} as const;

/** When several codes apply, the first of this list wins. */
const PRECEDENCE: readonly number[] = [EXIT.badInput, EXIT.failed, EXIT.interrupted, EXIT.threshold, EXIT.degraded, EXIT.regression];

/** The code that wins among those that apply (0 when none does). */
export function firstExitCode(applies: readonly number[]): number {
  return PRECEDENCE.find((code) => applies.includes(code)) ?? EXIT.complete;
}

/** `stampede run`'s exit code, from its report alone: 1 > 130 > 4 > 3 > 0. */
export function runExitCode(report: Report): number {
  const applies: number[] = [];
  // The load ran, but the report cannot vouch for its count, or the tool's tables were left behind.
  const unverified = report.providers.some((p) => p.verification?.documents?.error !== undefined || (p.teardown && 'error' in p.teardown));
  // A built-in workload's data no longer adds up, or the scenario's own teardown failed.
  const inconsistent = report.providers.some((p) => p.consistency?.ok === false || (p.scenarioTeardown && 'error' in p.scenarioTeardown));
  if (report.status === 'failed' || unverified || inconsistent) applies.push(EXIT.failed);
  // A run its own abortOnFail threshold stopped ends early on purpose: that is the threshold's code.
  if (report.status === 'partial' && report.abortedBy === undefined) applies.push(EXIT.interrupted);
  if (report.abortedBy !== undefined || report.thresholds?.some((t) => !t.ok)) applies.push(EXIT.threshold);
  if (report.status === 'degraded') applies.push(EXIT.degraded);
  return firstExitCode(applies);
}
