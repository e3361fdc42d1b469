/**
 * The open model's schedule: one global sequence of intended start times, interleaved across
 * shares so that the shares together start exactly the requested arrivals (never a rounded rate
 * per worker).
 */

/** A stretch of the schedule whose rate moves linearly from `from` to `to` (arrivals per ms). */
export interface RateSegment {
  durationMs: number;
  from: number;
  to: number;
}

/**
 * Arrival i (from 0) is due when the cumulative arrivals N(t) = ∫rate reach i, as in k6's
 * ramping-arrival-rate; a linear rate makes N quadratic, which is inverted exactly.
 */
export class ArrivalSchedule {
  /** Arrivals in the whole schedule. */
  readonly total: number;
  readonly durationMs: number;
  private readonly arrivalsBefore: number[] = [];
  private readonly msBefore: number[] = [];
  private segment = 0;

  constructor(private readonly segments: readonly RateSegment[]) {
    let n = 0;
    let t = 0;
    for (const s of segments) {
      this.arrivalsBefore.push(n);
      this.msBefore.push(t);
      n += ((s.from + s.to) / 2) * s.durationMs;
      t += s.durationMs;
    }
    this.arrivalsBefore.push(n);
    // A float sum like 9999.999999 or 10000.000001 still means 10 000 arrivals.
    this.total = Math.max(0, Math.ceil(n - 1e-6));
    this.durationMs = t;
  }

  /** Milliseconds from the start at which arrival `i` is due; calls must not go backwards. */
  timeOf(i: number): number {
    while (this.segment < this.segments.length - 1 && i >= this.arrivalsBefore[this.segment + 1]!) this.segment++;
    const s = this.segments[this.segment]!;
    const x = i - this.arrivalsBefore[this.segment]!;
    if (x <= 0) return this.msBefore[this.segment]!;
    const a = (s.to - s.from) / (2 * s.durationMs);
    // Root of a·τ² + from·τ = x in the form that stays exact when a → 0 or from → 0.
    const tau = (2 * x) / (s.from + Math.sqrt(s.from * s.from + 4 * a * x));
    return this.msBefore[this.segment]! + Math.min(tau, s.durationMs);
  }
}

/**
 * Which global arrivals one share takes: smooth weighted round robin over one cycle of
 * sum(weights) arrivals, repeated. Every prefix of the sequence is split within one arrival of
 * the weights, and the shares' arrivals are disjoint and cover the whole sequence.
 */
export class ShareArrivals {
  private readonly cycle: number;
  private readonly positions: number[];

  constructor(weights: readonly number[], index: number) {
    if (!weights.every((w) => Number.isInteger(w) && w > 0)) throw new RangeError('arrival weights must be positive integers');
    const g = weights.reduce(gcd);
    const w = weights.map((x) => x / g);
    this.cycle = w.reduce((a, b) => a + b, 0);
    const current = w.map(() => 0);
    this.positions = [];
    for (let j = 0; j < this.cycle; j++) {
      let best = 0;
      for (let k = 0; k < w.length; k++) {
        current[k]! += w[k]!;
        if (current[k]! > current[best]!) best = k;
      }
      current[best]! -= this.cycle;
      if (best === index) this.positions.push(j);
    }
  }

  /** The global index of this share's m-th arrival. */
  globalIndex(m: number): number {
    const per = this.positions.length;
    return Math.floor(m / per) * this.cycle + this.positions[m % per]!;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
