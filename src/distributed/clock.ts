/** Samples kept: a sliding set, so a clock that drifts is followed. */
const KEPT = 16;
/** The start lead follows the slowest of the last few round trips, not the luckiest one. */
const RECENT = 5;

/**
 * One agent's clock against ours, NTP-style: each exchange gives t1 (we send), t2 (it receives),
 * t3 (it answers) and t4 (we receive). The sample with the shortest round trip is the one least
 * bent by queueing, so its offset is taken.
 */
export class ClockEstimate {
  private readonly samples: Array<{ offsetMs: number; rttMs: number }> = [];

  add(t1: number, t2: number, t3: number, t4: number): void {
    const rttMs = Math.max(0, t4 - t1 - (t3 - t2));
    this.samples.push({ offsetMs: (t2 - t1 + (t3 - t4)) / 2, rttMs });
    if (this.samples.length > KEPT) this.samples.shift();
  }

  private best(): { offsetMs: number; rttMs: number } | undefined {
    return this.samples.reduce<{ offsetMs: number; rttMs: number } | undefined>((b, s) => (!b || s.rttMs < b.rttMs ? s : b), undefined);
  }

  /** Its clock minus ours (ms); undefined before any answer. */
  get offsetMs(): number | undefined {
    const b = this.best();
    return b && Math.round(b.offsetMs);
  }

  /** The shortest round trip seen (ms). */
  get rttMs(): number | undefined {
    return this.best()?.rttMs;
  }

  /** The longest of the recent round trips (ms). */
  get recentMaxRttMs(): number | undefined {
    const recent = this.samples.slice(-RECENT);
    return recent.length ? Math.max(...recent.map((s) => s.rttMs)) : undefined;
  }
}
