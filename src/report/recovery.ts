import { felt } from './phases.js';
import type { PhaseReport, SpikeRecovery, WindowReport } from './types.js';

/** "Recovered" means the windowed p95 is back within this factor of the pre-spike p95. */
const RECOVERED_WITHIN = 1.2;

/**
 * Recovery time of a spike: from the end of the spike phase to the end of the first later
 * window whose p95 is back within 20 % of the pre-spike phase's p95 (resolution: one window).
 */
export function spikeRecovery(
  phases: readonly PhaseReport[],
  windows: readonly WindowReport[],
  windowMs: number,
): SpikeRecovery | undefined {
  const before = phases.find((p) => p.phase === 'before-spike');
  const spike = phases.find((p) => p.phase === 'spike');
  if (!before || !spike || before.ok === 0) return undefined;
  const baselineP95Us = felt(before);
  const thresholdP95Us = Math.round(baselineP95Us * RECOVERED_WITHIN * 1000) / 1000;
  const back = windows.find((w) => w.startMs >= spike.endMs && w.ok > 0 && felt(w) <= thresholdP95Us);
  return {
    baselineP95Us,
    thresholdP95Us,
    recovered: back !== undefined,
    recoveryMs: back ? back.startMs + windowMs - spike.endMs : null,
  };
}
