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

interface WindowState {
  phase: string;
  /** activeVUs per source: a source's later snapshot for the same window replaces, never adds. */
  vus: Map<string, number>;
  /** Encoded histograms are kept, not decoded ones: a long run has thousands of windows. */
  operations: Map<string, { encoded: string[]; ok: number; errors: ErrorsByClass }>;
}

export interface WindowFigures {
  window: number;
  phase: string;
  sources: number;
  activeVUs: number;
  ok: number;
  errors: number;
  latencyUs: LatencySummary;
  operations: Record<string, { ok: number; errors: number; mean: number; p95: number; p99: number }>;
}

const TOTAL = '*';

/** Parts live beside operations in the same maps, under a key no operation name can take. */
function partKey(operation: string, part: string): string {
  return `${operation}#${part}`;
}

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

  add(snapshot: Snapshot): void {
    const window = this.window(snapshot.window, snapshot.phase);
    window.vus.set(snapshot.source, snapshot.activeVUs);
    const source = this.perSource.get(snapshot.source) ?? { ok: 0, errors: 0 };
    this.perSource.set(snapshot.source, source);
    for (const op of snapshot.operations) {
      const h = decodeHistogram(op.histogram);
      try {
        for (const phase of [TOTAL, snapshot.phase]) {
          for (const key of [TOTAL, op.operation]) this.addTo(phase, key, h, op.ok, op.errors);
        }
      } finally {
        h.destroy();
      }
      for (const [part, encoded] of Object.entries(op.parts ?? {})) {
        const ph = decodeHistogram(encoded);
        try {
          for (const phase of [TOTAL, snapshot.phase]) this.addTo(phase, partKey(op.operation, part), ph, ph.totalCount, {});
        } finally {
          ph.destroy();
        }
      }
      const w = window.operations.get(op.operation) ?? { encoded: [], ok: 0, errors: {} };
      window.operations.set(op.operation, w);
      w.encoded.push(op.histogram);
      w.ok += op.ok;
      mergeErrors(w.errors, op.errors);
      source.ok += op.ok;
      source.errors += errorTotal(op.errors);
    }
  }

  private addTo(phase: string, key: string, h: Histogram, ok: number, errors: ErrorsByClass): void {
    let byOp = this.totals.get(phase);
    if (!byOp) this.totals.set(phase, (byOp = new Map()));
    let acc = byOp.get(key);
    if (!acc) byOp.set(key, (acc = accumulator()));
    acc.histogram.add(h);
    acc.ok += ok;
    mergeErrors(acc.errors, errors);
  }

  private window(index: number, phase: string): WindowState {
    let w = this.windows.get(index);
    if (!w) this.windows.set(index, (w = { phase, vus: new Map(), operations: new Map() }));
    return w;
  }

  /** Figures of one operation over the whole run (or one phase); `undefined` for all operations. */
  merged(operation?: string, phase?: string): Merged {
    const acc = this.totals.get(phase ?? TOTAL)?.get(operation ?? TOTAL);
    if (!acc) return { ok: 0, errors: {}, latencyUs: summarize(emptyHistogram()) };
    return { ok: acc.ok, errors: { ...acc.errors }, latencyUs: summarize(acc.histogram) };
  }

  /** Names of an operation's timed parts (connect, query), each merged into its own histogram. */
  parts(operation: string): string[] {
    const prefix = partKey(operation, '');
    return [...(this.totals.get(TOTAL)?.keys() ?? [])].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** Latency of one timed part of an operation over the whole run (or one phase). */
  mergedPart(operation: string, part: string, phase?: string): Merged {
    return this.merged(partKey(operation, part), phase);
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
    const operations: WindowFigures['operations'] = {};
    let ok = 0;
    let errors = 0;
    try {
      for (const [name, op] of w.operations) {
        const one = newHistogram();
        for (const encoded of op.encoded) {
          const h = decodeHistogram(encoded);
          one.add(h);
          h.destroy();
        }
        all.add(one);
        operations[name] = {
          ok: op.ok,
          errors: errorTotal(op.errors),
          mean: one.totalCount > 0 ? one.mean : 0,
          p95: one.getValueAtPercentile(95),
          p99: one.getValueAtPercentile(99),
        };
        one.destroy();
        ok += op.ok;
        errors += errorTotal(op.errors);
      }
      let activeVUs = 0;
      for (const v of w.vus.values()) activeVUs += v;
      return { window: index, phase: w.phase, sources: w.vus.size, activeVUs, ok, errors, latencyUs: summarize(all), operations };
    } finally {
      all.destroy();
    }
  }

  destroy(): void {
    for (const byOp of this.totals.values()) for (const acc of byOp.values()) acc.histogram.destroy();
    this.totals.clear();
  }
}

let empty: Histogram | undefined;
function emptyHistogram(): Histogram {
  empty ??= newHistogram();
  return empty;
}
