import { replicatesNeeded, smallestRankP, smallestSignedRankP } from '../stats/reachable.js';
import type { Report } from './types.js';

/** The verdicts' significance level (compareProviders' default). */
const ALPHA = 0.01;

/** A comparison whose design could not reach significance whatever the difference, and what could. */
export interface DesignLimit {
  test: string;
  design: 'paired' | 'independent';
  /** Replicates of the smaller side: windows (independent) or blocks (paired). */
  replicates: number;
  smallestP: number;
  /** Replicates a side that could reach p < alpha. */
  needed: number;
  /** The run duration per provider (seconds) and the --interleave count that give that many. */
  durationSec: number;
  interleave: number;
  text: string;
}

/**
 * One entry per comparison (test) in which some difference could never be significant at the
 * report's level with the replicates it had, with the run that could: `needed` windows a
 * provider (a longer --duration), or as many interleaved blocks (--interleave, one window each at
 * least).
 */
export function designLimits(report: Report): DesignLimit[] {
  const windowSec = report.plan.windowMs / 1000;
  const pairedNeeded = replicatesNeeded('paired', ALPHA);
  return (report.comparisons ?? []).flatMap((c) => {
    const worst = c.differences
      .map((d) => {
        const n = Math.min(d.replicates.baseline, d.replicates.candidate);
        const smallestP = d.design === 'paired' ? smallestSignedRankP(n) : smallestRankP(d.replicates.baseline, d.replicates.candidate);
        return { design: d.design, n, smallestP };
      })
      .filter((d) => d.smallestP >= ALPHA)
      .sort((a, b) => b.smallestP - a.smallestP)[0];
    if (!worst) return [];
    const needed = replicatesNeeded(worst.design, ALPHA);
    const unit = worst.design === 'paired' ? 'interleaved blocks' : 'windows';
    // One more window than needed: the last window of a run is cut short by its end.
    const durationSec = Math.ceil((needed + 1) * windowSec);
    const interleave = Math.max(pairedNeeded, needed);
    const blockRun = Math.ceil((interleave + 1) * windowSec);
    const text =
      `${c.test}: ${worst.n} ${unit} a provider can give p ≥ ${worst.smallestP.toFixed(3)} at best, never p < ${ALPHA}: ` +
      `no verdict is possible whatever the difference. ` +
      (worst.design === 'paired'
        ? `Run --interleave ${interleave} (with --duration ≥ ${blockRun}s, a window a block at least).`
        : `Run --duration ≥ ${durationSec}s (${needed} windows of ${windowSec}s a provider), or --interleave ${interleave} with --duration ≥ ${blockRun}s.`);
    return [{ test: c.test, design: worst.design, replicates: worst.n, smallestP: worst.smallestP, needed, durationSec, interleave, text }];
  });
}
