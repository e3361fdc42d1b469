import type { Aggregator } from './aggregate.js';

/** What one source owed: what a window's figures are checked against. */
export interface ShareRecord {
  source: string;
  /** Run by another process (an agent): its shortfall degrades the window (see TaskSite.remote). */
  remote: boolean;
  /** First window (provider-wide index) of the block the share ran in. */
  firstWindow: number;
  /**
   * Until when the share owed load, in ms from its block's common start: where it finished its
   * own work, where the coordinator stopped the run, or the planned end (Infinity when a profile
   * without a planned end lost the source before it finished).
   */
  owedUntilMs: number;
}

/** Sources of one window whose share is not all there. */
export interface WindowShortfall {
  /** No snapshot arrived (yet) for a window the source owed. */
  missing: string[];
  /** The snapshot says the source ran less of the window than it owed (started late, stopped, lost). */
  short: string[];
  /**
   * True when only this process's own workers ran short (a thread that started late on a busy
   * machine): the generator set the pace, which flags the window saturated rather than degraded.
   */
  localOnly: boolean;
}

/** Timers and message hops move a start or a stop by a few ms; a shortfall beyond this is flagged. */
export const SHORTFALL_TOLERANCE_MS = 100;

/**
 * Each window whose figures lack part of a share, judged by what each source says it actually ran
 * (not by whether a snapshot arrived in time): a window is never silently low.
 */
export function windowShortfalls(aggregator: Aggregator, shares: readonly ShareRecord[], windowMs: number): Map<number, WindowShortfall> {
  const firsts = [...new Set(shares.map((s) => s.firstWindow))].sort((a, b) => a - b);
  const flagged = new Map<number, WindowShortfall>();
  for (const index of aggregator.windowIndices()) {
    const first = firsts.filter((f) => f <= index).at(-1);
    if (first === undefined) continue;
    const from = (index - first) * windowMs;
    const ran = aggregator.windowRan(index);
    const shortfall: WindowShortfall = { missing: [], short: [], localOnly: true };
    for (const share of shares) {
      if (share.firstWindow !== first) continue;
      const owedMs = Math.min(from + windowMs, share.owedUntilMs) - from;
      if (owedMs <= SHORTFALL_TOLERANCE_MS) continue;
      const ranMs = ran.get(share.source);
      if (ranMs === undefined) shortfall.missing.push(share.source);
      else if (ranMs < owedMs - SHORTFALL_TOLERANCE_MS) shortfall.short.push(share.source);
      else continue;
      if (share.remote || ranMs === undefined) shortfall.localOnly = false;
    }
    if (shortfall.missing.length || shortfall.short.length) flagged.set(index, shortfall);
  }
  return flagged;
}
