import type { ArrivalFigures, PhaseFigures } from '../metrics/aggregate.js';
import { errorTotal } from '../metrics/errors.js';
import { noLatency } from '../metrics/histogram.js';
import type { PhasePlan } from '../profiles/stages.js';
import type { ArrivalReport, PhaseReport, WindowReport } from './types.js';

/**
 * Each planned phase on its own, from the histograms merged per phase (never from window
 * percentiles). Throughput divides by the time the phase's windows actually covered.
 */
export function phaseReports(
  figures: readonly PhaseFigures[],
  plans: readonly PhasePlan[],
  windows: readonly WindowReport[],
  windowSeconds: (w: WindowReport) => number,
): PhaseReport[] {
  return plans.map((plan) => {
    const mine = windows.filter((w) => w.phase === plan.name);
    const seconds = mine.reduce((s, w) => s + windowSeconds(w), 0);
    // A phase in which nothing ran has no figures of its own.
    const m: Omit<PhaseFigures, 'phase'> = figures.find((f) => f.phase === plan.name) ?? { ok: 0, errors: {}, latencyUs: noLatency() };
    const failed = errorTotal(m.errors);
    const report: PhaseReport = {
      phase: plan.name,
      startMs: plan.startMs,
      endMs: plan.endMs,
      ...(plan.target !== undefined ? { target: plan.target } : {}),
      peakVUs: Math.max(0, ...mine.map((w) => w.activeVUs)),
      ok: m.ok,
      failed,
      errors: m.errors,
      errorRate: m.ok + failed > 0 ? round(failed / (m.ok + failed), 6) : 0,
      opsPerSec: seconds > 0 ? round(m.ok / seconds, 1) : 0,
      latencyUs: m.latencyUs,
    };
    if (m.correctedUs) report.correctedLatencyUs = m.correctedUs;
    if (m.arrivals) report.arrivals = arrivalReport(m.arrivals);
    return report;
  });
}

export function arrivalReport(a: ArrivalFigures): ArrivalReport {
  return {
    intended: a.intended,
    started: a.started,
    dropped: a.dropped,
    lagUs: { mean: a.lagUs.mean, p99: a.lagUs.p99, max: a.lagUs.max },
  };
}

/** The latency a user felt: from the intended start in the open model, service time otherwise. */
export function felt(x: { latencyUs: { p95: number }; correctedLatencyUs?: { p95: number } }): number {
  return (x.correctedLatencyUs ?? x.latencyUs).p95;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
