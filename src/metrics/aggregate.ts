import { type ErrorsByClass, errorTotal, mergeErrors } from './errors.js';
import { decodeHistogram, type Histogram, type LatencySummary, newHistogram, summarize } from './histogram.js';
import { isSaturated } from './health.js';
import type { GeneratorHealth, Snapshot } from './snapshot.js';

/** Merged figures of one operation (or of all of them) over some stretch of a run. */
export interface Merged {
  ok: number;
  errors: ErrorsByClass;
  latencyUs: LatencySummary;
  /** Open model: latency from the intended start. */
  correctedUs?: LatencySummary;
}

/** Open model counts over some stretch: intended = started + dropped. */
export interface ArrivalFigures {
  intended: number;
  started: number;
  dropped: number;
  lagUs: LatencySummary;
}

interface Accumulator {
  histogram: Histogram;
  ok: number;
  errors: ErrorsByClass;
  corrected?: Histogram;
}

interface ArrivalAccumulator {
  intended: number;
  started: number;
  dropped: number;
  lag: Histogram;
}

interface WindowState {
  phase: string;
  /** activeVUs per source: a source's later snapshot for the same window replaces, never adds. */
  vus: Map<string, number>;
  /** Encoded histograms are kept, not decoded ones: a long run has thousands of windows. */
  operations: Map<string, { encoded: string[]; corrected: string[]; ok: number; errors: ErrorsByClass }>;
  arrivals?: { intended: number; started: number; dropped: number; lag: string[] };
  health: Map<string, GeneratorHealth>;
}

export interface WindowFigures {
  window: number;
  phase: string;
  sources: number;
  activeVUs: number;
  ok: number;
  errors: number;
  latencyUs: LatencySummary;
  operations: Record<string, { ok: number; errors: number; p95: number }>;
  correctedUs?: LatencySummary;
  arrivals?: ArrivalFigures;
  /** The busiest source's event-loop delay p99 and CPU. */
  health?: GeneratorHealth;
  /** The generator, not the database, may have set the pace in this window. */
  saturated: boolean;
}

const TOTAL = '*';

function accumulator(): Accumulator {
  return { histogram: newHistogram(), ok: 0, errors: {} };
}

/**
 * Merges snapshots from every source of one provider's run. Histograms are added with HDR `add()`,
 * which is exact; percentiles are only ever read from a merged histogram. A snapshot that arrives
 * late is merged like any other.
 */
export class Aggregator {
  /** phase → operation (or TOTAL) → accumulator; phase TOTAL is the whole run. */
  private readonly totals = new Map<string, Map<string, Accumulator>>();
  private readonly windows = new Map<number, WindowState>();
  private readonly perSource = new Map<string, { ok: number; errors: number }>();
  /** phase (or TOTAL) → open-model counts. */
  private readonly arrivalTotals = new Map<string, ArrivalAccumulator>();

  add(snapshot: Snapshot): void {
    const window = this.window(snapshot.window, snapshot.phase);
    window.vus.set(snapshot.source, snapshot.activeVUs);
    if (snapshot.health) window.health.set(snapshot.source, snapshot.health);
    if (snapshot.arrivals) this.addArrivals(window, snapshot.phase, snapshot.arrivals);
    const source = this.perSource.get(snapshot.source) ?? { ok: 0, errors: 0 };
    this.perSource.set(snapshot.source, source);
    for (const op of snapshot.operations) {
      const h = decodeHistogram(op.histogram);
      const corrected = op.corrected === undefined ? undefined : decodeHistogram(op.corrected);
      try {
        for (const phase of [TOTAL, snapshot.phase]) {
          for (const key of [TOTAL, op.operation]) this.addTo(phase, key, h, op.ok, op.errors, corrected);
        }
      } finally {
        h.destroy();
        corrected?.destroy();
      }
      const w = window.operations.get(op.operation) ?? { encoded: [], corrected: [], ok: 0, errors: {} };
      window.operations.set(op.operation, w);
      w.encoded.push(op.histogram);
      if (op.corrected !== undefined) w.corrected.push(op.corrected);
      w.ok += op.ok;
      mergeErrors(w.errors, op.errors);
      source.ok += op.ok;
      source.errors += errorTotal(op.errors);
    }
  }

  private addArrivals(window: WindowState, phase: string, a: NonNullable<Snapshot['arrivals']>): void {
    const lag = decodeHistogram(a.lag);
    try {
      for (const key of [TOTAL, phase]) {
        let acc = this.arrivalTotals.get(key);
        if (!acc) this.arrivalTotals.set(key, (acc = { intended: 0, started: 0, dropped: 0, lag: newHistogram() }));
        acc.intended += a.intended;
        acc.started += a.started;
        acc.dropped += a.dropped;
        acc.lag.add(lag);
      }
    } finally {
      lag.destroy();
    }
    window.arrivals ??= { intended: 0, started: 0, dropped: 0, lag: [] };
    window.arrivals.intended += a.intended;
    window.arrivals.started += a.started;
    window.arrivals.dropped += a.dropped;
    window.arrivals.lag.push(a.lag);
  }

  private addTo(phase: string, key: string, h: Histogram, ok: number, errors: ErrorsByClass, corrected?: Histogram): void {
    let byOp = this.totals.get(phase);
    if (!byOp) this.totals.set(phase, (byOp = new Map()));
    let acc = byOp.get(key);
    if (!acc) byOp.set(key, (acc = accumulator()));
    acc.histogram.add(h);
    if (corrected) (acc.corrected ??= newHistogram()).add(corrected);
    acc.ok += ok;
    mergeErrors(acc.errors, errors);
  }

  private window(index: number, phase: string): WindowState {
    let w = this.windows.get(index);
    if (!w) this.windows.set(index, (w = { phase, vus: new Map(), operations: new Map(), health: new Map() }));
    return w;
  }

  /** Figures of one operation over the whole run (or one phase); `undefined` for all operations. */
  merged(operation?: string, phase?: string): Merged {
    const acc = this.totals.get(phase ?? TOTAL)?.get(operation ?? TOTAL);
    if (!acc) return { ok: 0, errors: {}, latencyUs: summarize(emptyHistogram()) };
    const merged: Merged = { ok: acc.ok, errors: { ...acc.errors }, latencyUs: summarize(acc.histogram) };
    if (acc.corrected) merged.correctedUs = summarize(acc.corrected);
    return merged;
  }

  /** Open-model counts over the whole run (or one phase); undefined for the closed model. */
  arrivals(phase?: string): ArrivalFigures | undefined {
    const acc = this.arrivalTotals.get(phase ?? TOTAL);
    if (!acc) return undefined;
    return { intended: acc.intended, started: acc.started, dropped: acc.dropped, lagUs: summarize(acc.lag) };
  }

  phases(): string[] {
    return [...this.totals.keys()].filter((p) => p !== TOTAL);
  }

  sources(): Array<{ source: string; ok: number; errors: number }> {
    return [...this.perSource].map(([source, c]) => ({ source, ...c })).sort((a, b) => a.source.localeCompare(b.source));
  }

  windowIndices(): number[] {
    return [...this.windows.keys()].sort((a, b) => a - b);
  }

  /** One window's figures, its histograms merged across sources and operations. */
  windowFigures(index: number): WindowFigures | undefined {
    const w = this.windows.get(index);
    if (!w) return undefined;
    const all = newHistogram();
    const corrected = newHistogram();
    const operations: WindowFigures['operations'] = {};
    let ok = 0;
    let errors = 0;
    try {
      for (const [name, op] of w.operations) {
        const one = mergeEncoded(op.encoded);
        all.add(one);
        addEncoded(corrected, op.corrected);
        operations[name] = { ok: op.ok, errors: errorTotal(op.errors), p95: one.getValueAtPercentile(95) };
        one.destroy();
        ok += op.ok;
        errors += errorTotal(op.errors);
      }
      let activeVUs = 0;
      for (const v of w.vus.values()) activeVUs += v;
      const figures: WindowFigures = { window: index, phase: w.phase, sources: w.vus.size, activeVUs, ok, errors, latencyUs: summarize(all), operations, saturated: false };
      if (w.arrivals) {
        const lag = mergeEncoded(w.arrivals.lag);
        figures.arrivals = { intended: w.arrivals.intended, started: w.arrivals.started, dropped: w.arrivals.dropped, lagUs: summarize(lag) };
        lag.destroy();
        figures.correctedUs = summarize(corrected);
      }
      if (w.health.size > 0) {
        const sources = [...w.health.values()];
        figures.health = { loopDelayP99Us: Math.max(...sources.map((h) => h.loopDelayP99Us)), cpu: Math.max(...sources.map((h) => h.cpu)) };
        figures.saturated = isSaturated(figures.health, figures.arrivals?.lagUs.p99);
      }
      return figures;
    } finally {
      all.destroy();
      corrected.destroy();
    }
  }

  destroy(): void {
    for (const byOp of this.totals.values()) {
      for (const acc of byOp.values()) {
        acc.histogram.destroy();
        acc.corrected?.destroy();
      }
    }
    this.totals.clear();
    for (const acc of this.arrivalTotals.values()) acc.lag.destroy();
    this.arrivalTotals.clear();
  }
}

function addEncoded(into: Histogram, encoded: readonly string[]): void {
  for (const e of encoded) {
    const h = decodeHistogram(e);
    into.add(h);
    h.destroy();
  }
}

function mergeEncoded(encoded: readonly string[]): Histogram {
  const h = newHistogram();
  addEncoded(h, encoded);
  return h;
}

let empty: Histogram | undefined;
function emptyHistogram(): Histogram {
  empty ??= newHistogram();
  return empty;
}
