import { type ErrorsByClass, errorTotal, mergeErrors } from './errors.js';
import { decodeHistogram, type Histogram, type LatencySummary, newHistogram, summarize } from './histogram.js';
import type { Snapshot } from './snapshot.js';

/** Merged figures of one operation (or of all of them) over some stretch of a run. */
export interface Merged {
  ok: number;
  errors: ErrorsByClass;
  latencyUs: LatencySummary;
}

interface Accumulator {
  histogram: Histogram;
  ok: number;
  errors: ErrorsByClass;
}

interface WindowOperation {
  /** Encoded histograms are kept, not decoded ones: a long run has thousands of windows. */
  encoded: string[];
  ok: number;
  errors: ErrorsByClass;
  /** The window's merged histogram while the window is recent (see HOT_WINDOWS). */
  hot?: Histogram;
}

interface WindowState {
  phase: string;
  /** activeVUs per source: a source's later snapshot for the same window replaces, never adds. */
  vus: Map<string, number>;
  operations: Map<string, WindowOperation>;
  /** Its histograms went into the run totals; a snapshot arriving later is added there directly. */
  folded: boolean;
  /** Figures computed since the last snapshot arrived. */
  figures?: WindowFigures;
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
}

/**
 * Recent windows keep a decoded, merged histogram per operation so that each snapshot is decoded
 * once and added once; older windows fold into the run totals and keep only encoded snapshots.
 * (Decoding and adding a 1 µs–1 h histogram costs tens of µs: with 100 agents × 60 windows,
 * doing it once per snapshot instead of six times is what keeps the merge under a second.)
 */
const HOT_WINDOWS = 8;

function accumulator(): Accumulator {
  return { histogram: newHistogram(), ok: 0, errors: {} };
}

/**
 * Merges snapshots from every source of one provider's run. Histograms are added with HDR `add()`,
 * which is exact; percentiles are only ever read from a merged histogram. A snapshot that arrives
 * late is merged like any other.
 */
export class Aggregator {
  /** phase → operation → accumulator. Counts are added at once, histograms when a window folds. */
  private readonly totals = new Map<string, Map<string, Accumulator>>();
  private readonly windows = new Map<number, WindowState>();
  /** Windows not folded yet, in arrival order. */
  private readonly hot: number[] = [];
  private readonly perSource = new Map<string, { ok: number; errors: number }>();

  add(snapshot: Snapshot): void {
    const window = this.window(snapshot.window, snapshot.phase);
    window.vus.set(snapshot.source, snapshot.activeVUs);
    window.figures = undefined;
    const source = this.perSource.get(snapshot.source) ?? { ok: 0, errors: 0 };
    this.perSource.set(snapshot.source, source);
    for (const op of snapshot.operations) {
      const total = this.total(snapshot.phase, op.operation);
      total.ok += op.ok;
      mergeErrors(total.errors, op.errors);
      const w = window.operations.get(op.operation) ?? { encoded: [], ok: 0, errors: {} };
      window.operations.set(op.operation, w);
      const h = decodeHistogram(op.histogram);
      try {
        if (window.folded) total.histogram.add(h);
        else (w.hot ??= newHistogram()).add(h);
      } finally {
        h.destroy();
      }
      w.encoded.push(op.histogram);
      w.ok += op.ok;
      mergeErrors(w.errors, op.errors);
      source.ok += op.ok;
      source.errors += errorTotal(op.errors);
    }
  }

  private total(phase: string, operation: string): Accumulator {
    let byOp = this.totals.get(phase);
    if (!byOp) this.totals.set(phase, (byOp = new Map()));
    let acc = byOp.get(operation);
    if (!acc) byOp.set(operation, (acc = accumulator()));
    return acc;
  }

  private window(index: number, phase: string): WindowState {
    let w = this.windows.get(index);
    if (!w) {
      this.windows.set(index, (w = { phase, vus: new Map(), operations: new Map(), folded: false }));
      this.hot.push(index);
      if (this.hot.length > HOT_WINDOWS) this.fold(this.hot.shift()!);
    }
    return w;
  }

  /** Adds a window's merged histograms into the run totals and lets go of them. */
  private fold(index: number): void {
    const w = this.windows.get(index)!;
    for (const [name, op] of w.operations) {
      if (!op.hot) continue;
      this.total(w.phase, name).histogram.add(op.hot);
      op.hot.destroy();
      op.hot = undefined;
    }
    w.folded = true;
  }

  private foldAll(): void {
    for (const index of this.hot.splice(0)) this.fold(index);
  }

  /** Figures of one operation over the whole run (or one phase); `undefined` for all operations. */
  merged(operation?: string, phase?: string): Merged {
    this.foldAll();
    const parts = [...this.totals]
      .filter(([p]) => phase === undefined || p === phase)
      .flatMap(([, byOp]) => [...byOp].filter(([op]) => operation === undefined || op === operation).map(([, acc]) => acc));
    const histogram = newHistogram();
    const errors: ErrorsByClass = {};
    let ok = 0;
    try {
      for (const acc of parts) {
        histogram.add(acc.histogram);
        ok += acc.ok;
        mergeErrors(errors, acc.errors);
      }
      return { ok, errors, latencyUs: summarize(histogram) };
    } finally {
      histogram.destroy();
    }
  }

  phases(): string[] {
    return [...this.totals.keys()];
  }

  sources(): Array<{ source: string; ok: number; errors: number }> {
    return [...this.perSource].map(([source, c]) => ({ source, ...c })).sort((a, b) => a.source.localeCompare(b.source));
  }

  /** Sources whose snapshot for a window has arrived. */
  windowSources(index: number): string[] {
    return [...(this.windows.get(index)?.vus.keys() ?? [])];
  }

  windowIndices(): number[] {
    return [...this.windows.keys()].sort((a, b) => a - b);
  }

  /** One window's figures, its histograms merged across sources and operations. */
  windowFigures(index: number): WindowFigures | undefined {
    const w = this.windows.get(index);
    if (!w) return undefined;
    if (w.figures) return w.figures;
    const all = newHistogram();
    const operations: WindowFigures['operations'] = {};
    let ok = 0;
    let errors = 0;
    try {
      for (const [name, op] of w.operations) {
        const one = op.hot ?? decodeAll(op.encoded);
        all.add(one);
        operations[name] = { ok: op.ok, errors: errorTotal(op.errors), p95: one.getValueAtPercentile(95) };
        if (one !== op.hot) one.destroy();
        ok += op.ok;
        errors += errorTotal(op.errors);
      }
      let activeVUs = 0;
      for (const v of w.vus.values()) activeVUs += v;
      w.figures = { window: index, phase: w.phase, sources: w.vus.size, activeVUs, ok, errors, latencyUs: summarize(all), operations };
      return w.figures;
    } finally {
      all.destroy();
    }
  }

  destroy(): void {
    for (const byOp of this.totals.values()) for (const acc of byOp.values()) acc.histogram.destroy();
    for (const w of this.windows.values()) for (const op of w.operations.values()) op.hot?.destroy();
    this.totals.clear();
    this.windows.clear();
    this.hot.length = 0;
  }
}

function decodeAll(encoded: string[]): Histogram {
  const one = newHistogram();
  for (const e of encoded) {
    const h = decodeHistogram(e);
    one.add(h);
    h.destroy();
  }
  return one;
}
