import { CountSum } from './counts.js';
import { type ErrorsByClass, errorTotal, mergeErrors } from './errors.js';
import { type LatencySummary, meanUs, percentileUs, RECORDED_UNIT, type RecordedUnit, summarize } from './histogram.js';
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

/** Merged histograms, encoded (compressed base64 HDR, in `unit`), so that later steps can merge further. */
export interface EncodedLatency {
  unit: RecordedUnit;
  latency: string;
  /** Open model: latency from the intended start. */
  corrected?: string;
}

/** One operation over the whole run. */
export interface OperationFigures extends Merged {
  operation: string;
  /** Timed parts of the operation (connect, query), each from its own histogram. */
  partsUs?: Record<string, LatencySummary>;
  histograms: EncodedLatency;
}

/** Every operation over one phase. */
export interface PhaseFigures extends Merged {
  phase: string;
  arrivals?: ArrivalFigures;
}

/** One source's counts over the whole run. */
export interface SourceFigures {
  source: string;
  ok: number;
  failed: number;
  /** How far after the common start the source's load began (ms). */
  lateStartMs: number;
}

/**
 * Everything merged for one provider's run, as plain data that holds no WASM memory: what the
 * report is built from once the aggregator is gone.
 */
export interface RunFigures {
  /** Every operation together. */
  total: Merged;
  /** Each operation that sent anything. */
  operations: OperationFigures[];
  phases: PhaseFigures[];
  arrivals?: ArrivalFigures;
  windows: WindowFigures[];
  sources: SourceFigures[];
}

interface Accumulator {
  histogram: CountSum;
  ok: number;
  errors: ErrorsByClass;
  /** Open model only. */
  corrected?: CountSum;
}

interface ArrivalAccumulator {
  intended: number;
  started: number;
  dropped: number;
  lag: CountSum;
}

interface WindowOperationState {
  latency: CountSum;
  corrected?: CountSum;
  ok: number;
  errors: ErrorsByClass;
}

interface WindowState {
  phase: string;
  /** activeVUs per source: a source's later snapshot for the same window replaces, never adds. */
  vus: Map<string, number>;
  /** How long each source's load ran in the window (ms). */
  ran: Map<string, number>;
  operations: Map<string, WindowOperationState>;
  arrivals?: { intended: number; started: number; dropped: number; lag: CountSum };
  health: Map<string, GeneratorHealth>;
  /** Figures computed since the last snapshot arrived. */
  figures?: WindowFigures;
  /** Its sums are in the run totals: what arrives for it now goes to both. */
  folded?: boolean;
}

/** One operation's figures in one window: the replicates a comparison draws its verdict from. */
export interface OperationWindowFigures {
  operation: string;
  ok: number;
  failed: number;
  latencyUs: { mean: number; p95: number; p99: number };
}

export interface WindowFigures {
  window: number;
  phase: string;
  sources: number;
  activeVUs: number;
  ok: number;
  failed: number;
  latencyUs: LatencySummary;
  operations: OperationWindowFigures[];
  correctedUs?: LatencySummary;
  arrivals?: ArrivalFigures;
  /** The busiest source's event-loop delay p99 and CPU. */
  health?: GeneratorHealth;
  /** The generator, not the database, may have set the pace in this window. */
  saturated: boolean;
}

/**
 * Each snapshot's histograms are decoded once (into bucket counts, see counts.ts) and added to its
 * window and its source. A window's sums go into the run totals once, when it goes cold (or when
 * the totals are read): a thousand sources then cost one addition per window, not a thousand. The
 * recent windows keep dense counts; older ones keep them encoded (a few KB each), in case a late
 * snapshot still comes, so that a run of many hours holds little per window.
 */
const HOT_WINDOWS = 8;

/** Parts live beside operations in the same maps, under a key no operation name can take. */
function partKey(operation: string, part: string): string {
  return `${operation}#${part}`;
}

interface SourceTotals {
  ok: number;
  failed: number;
  /** The source's own latencies, so a site (a host) gets percentiles of its own. */
  histogram: CountSum;
  lateStartMs: number;
}

function accumulator(): Accumulator {
  return { histogram: new CountSum(), ok: 0, errors: {} };
}

/**
 * Merges snapshots from every source of one provider's run. Histograms are added with HDR `add()`,
 * which is exact; percentiles are only ever read from a merged histogram. A snapshot that arrives
 * late is merged like any other.
 */
export class Aggregator {
  /** phase → operation → accumulator. */
  private readonly totals = new Map<string, Map<string, Accumulator>>();
  private readonly windows = new Map<number, WindowState>();
  /** Windows whose counts are still dense, in arrival order. */
  private readonly hot: number[] = [];
  private readonly perSource = new Map<string, SourceTotals>();
  /** phase → `operation#part` → timed parts (connect, query), apart so they never add to the operations. */
  private readonly partTotals = new Map<string, Map<string, Accumulator>>();
  /** phase → open-model counts. */
  private readonly arrivalTotals = new Map<string, ArrivalAccumulator>();

  add(snapshot: Snapshot): void {
    const window = this.window(snapshot.window, snapshot.phase);
    window.vus.set(snapshot.source, snapshot.activeVUs);
    window.ran.set(snapshot.source, snapshot.ranMs);
    window.figures = undefined;
    if (snapshot.health) window.health.set(snapshot.source, snapshot.health);
    // The plan fixes a window's phase (phaseOf in worker-windows.ts), so every source labels it alike.
    const phase = window.phase;
    const direct = window.folded === true;
    if (snapshot.arrivals) this.addArrivals(window, phase, snapshot.arrivals, direct);
    let source = this.perSource.get(snapshot.source);
    if (!source) this.perSource.set(snapshot.source, (source = { ok: 0, failed: 0, histogram: new CountSum(), lateStartMs: 0 }));
    source.lateStartMs = Math.max(source.lateStartMs, snapshot.lateStartMs ?? 0);
    for (const op of snapshot.operations) {
      const total = this.total(phase, op.operation);
      total.ok += op.ok;
      mergeErrors(total.errors, op.errors);
      let w = window.operations.get(op.operation);
      if (!w) window.operations.set(op.operation, (w = { latency: new CountSum(), ok: 0, errors: {} }));
      w.latency.addEncoded(op.histogram, source.histogram, direct ? total.histogram : undefined);
      for (const [part, encoded] of Object.entries(op.parts ?? {})) {
        const acc = this.total(phase, partKey(op.operation, part), this.partTotals);
        const before = acc.histogram.totalCount;
        acc.histogram.addEncoded(encoded);
        acc.ok += acc.histogram.totalCount - before;
      }
      if (op.corrected !== undefined) {
        (w.corrected ??= new CountSum()).addEncoded(op.corrected, direct ? (total.corrected ??= new CountSum()) : undefined);
      }
      w.ok += op.ok;
      mergeErrors(w.errors, op.errors);
      source.ok += op.ok;
      source.failed += errorTotal(op.errors);
    }
  }

  private addArrivals(window: WindowState, phase: string, a: NonNullable<Snapshot['arrivals']>, direct: boolean): void {
    const acc = this.arrivalTotal(phase);
    acc.intended += a.intended;
    acc.started += a.started;
    acc.dropped += a.dropped;
    window.arrivals ??= { intended: 0, started: 0, dropped: 0, lag: new CountSum() };
    window.arrivals.intended += a.intended;
    window.arrivals.started += a.started;
    window.arrivals.dropped += a.dropped;
    window.arrivals.lag.addEncoded(a.lag, direct ? acc.lag : undefined);
  }

  private arrivalTotal(phase: string): ArrivalAccumulator {
    let acc = this.arrivalTotals.get(phase);
    if (!acc) this.arrivalTotals.set(phase, (acc = { intended: 0, started: 0, dropped: 0, lag: new CountSum() }));
    return acc;
  }

  private total(phase: string, operation: string, totals = this.totals): Accumulator {
    let byOp = totals.get(phase);
    if (!byOp) totals.set(phase, (byOp = new Map<string, Accumulator>()));
    let acc = byOp.get(operation);
    if (!acc) byOp.set(operation, (acc = accumulator()));
    return acc;
  }

  private window(index: number, phase: string): WindowState {
    let w = this.windows.get(index);
    if (!w) {
      this.windows.set(index, (w = { phase, vus: new Map(), ran: new Map(), operations: new Map(), health: new Map() }));
      this.hot.push(index);
      if (this.hot.length > HOT_WINDOWS) this.compact(this.hot.shift()!);
    }
    return w;
  }

  /** Adds a window's sums into the run totals, once. */
  private fold(w: WindowState): void {
    if (w.folded) return;
    w.folded = true;
    for (const [name, op] of w.operations) {
      const total = this.total(w.phase, name);
      total.histogram.addSum(op.latency);
      if (op.corrected) (total.corrected ??= new CountSum()).addSum(op.corrected);
    }
    if (w.arrivals) this.arrivalTotal(w.phase).lag.addSum(w.arrivals.lag);
  }

  private compact(index: number): void {
    const w = this.windows.get(index)!;
    this.fold(w);
    for (const op of w.operations.values()) {
      op.latency.compact();
      op.corrected?.compact();
    }
    w.arrivals?.lag.compact();
  }

  /** Figures of one operation over the whole run (or one phase); `undefined` for all operations. */
  merged(operation?: string, phase?: string): Merged {
    this.foldHot();
    return sum(this.totals, operation, phase);
  }

  private foldHot(): void {
    for (const index of this.hot) this.fold(this.windows.get(index)!);
  }

  /** Successful operations so far (of one operation, or all), without merging any histogram. */
  ok(operation?: string): number {
    let n = 0;
    for (const byOp of this.totals.values()) for (const [name, acc] of byOp) if (operation === undefined || name === operation) n += acc.ok;
    return n;
  }

  /** Failures so far by class (of one operation, or all), without merging any histogram. */
  errors(operation?: string): ErrorsByClass {
    const errors: ErrorsByClass = {};
    for (const byOp of this.totals.values())
      for (const [name, acc] of byOp) if (operation === undefined || name === operation) mergeErrors(errors, acc.errors);
    return errors;
  }

  /** Everything merged so far, as plain data. */
  figures(): RunFigures {
    this.foldHot();
    const names = new Set([...this.totals.values()].flatMap((byOp) => [...byOp.keys()]));
    const arrivals = this.arrivals();
    return {
      total: sum(this.totals),
      operations: [...names].map((name) => this.operationFigures(name)),
      phases: [...this.totals.keys()].map((phase) => this.phaseFigures(phase)),
      ...(arrivals ? { arrivals } : {}),
      windows: this.windowIndices().map((i) => this.windowFigures(i)!),
      sources: [...this.perSource]
        .map(([source, c]) => ({ source, ok: c.ok, failed: c.failed, lateStartMs: c.lateStartMs }))
        .sort((a, b) => a.source.localeCompare(b.source)),
    };
  }

  private operationFigures(operation: string): OperationFigures {
    const figures: OperationFigures = { operation, ...sumEncoded(this.totals, operation) };
    const prefix = partKey(operation, '');
    const parts = new Set([...this.partTotals.values()].flatMap((byKey) => [...byKey.keys()].filter((k) => k.startsWith(prefix))));
    if (parts.size > 0) {
      figures.partsUs = Object.fromEntries([...parts].map((key) => [key.slice(prefix.length), sum(this.partTotals, key).latencyUs]));
    }
    return figures;
  }

  private phaseFigures(phase: string): PhaseFigures {
    const figures: PhaseFigures = { phase, ...sum(this.totals, undefined, phase) };
    const arrivals = this.arrivals(phase);
    if (arrivals) figures.arrivals = arrivals;
    return figures;
  }

  /** Open-model counts over the whole run (or one phase); undefined for the closed model. */
  private arrivals(phase?: string): ArrivalFigures | undefined {
    const parts = [...this.arrivalTotals].filter(([p]) => phase === undefined || p === phase).map(([, acc]) => acc);
    if (parts.length === 0) return undefined;
    const lag = new CountSum();
    const figures = { intended: 0, started: 0, dropped: 0 };
    for (const acc of parts) {
      figures.intended += acc.intended;
      figures.started += acc.started;
      figures.dropped += acc.dropped;
      lag.addSum(acc.lag);
    }
    return { ...figures, lagUs: summarizeOnce(lag) };
  }

  /** Latency over the whole run of some sources only (one site's), merged from their own histograms. */
  sourcesLatency(sources: readonly string[]): LatencySummary {
    const own = sources.flatMap((s) => this.perSource.get(s)?.histogram ?? []);
    if (own.length === 1) return summarize(own[0]!);
    const merged = new CountSum();
    for (const h of own) merged.addSum(h);
    return summarizeOnce(merged);
  }

  /** Sources whose snapshot for a window has arrived, with how long each one's load ran in it (ms). */
  windowRan(index: number): Map<string, number> {
    return new Map(this.windows.get(index)?.ran);
  }

  windowIndices(): number[] {
    return [...this.windows.keys()].sort((a, b) => a - b);
  }

  /** One window's figures, its histograms merged across sources and operations. */
  windowFigures(index: number): WindowFigures | undefined {
    const w = this.windows.get(index);
    if (!w) return undefined;
    if (w.figures) return w.figures;
    const all = new CountSum();
    const corrected = new CountSum();
    const operations: OperationWindowFigures[] = [];
    let ok = 0;
    let failed = 0;
    for (const [name, op] of w.operations) {
      all.addSum(op.latency);
      operations.push({
        operation: name,
        ok: op.ok,
        failed: errorTotal(op.errors),
        latencyUs: {
          mean: Math.round(meanUs(op.latency) * 1000) / 1000,
          p95: percentileUs(op.latency, 95),
          p99: percentileUs(op.latency, 99),
        },
      });
      if (op.corrected) corrected.addSum(op.corrected);
      ok += op.ok;
      failed += errorTotal(op.errors);
    }
    let activeVUs = 0;
    for (const v of w.vus.values()) activeVUs += v;
    const figures: WindowFigures = {
      window: index,
      phase: w.phase,
      sources: w.vus.size,
      activeVUs,
      ok,
      failed,
      latencyUs: summarizeOnce(all),
      operations,
      saturated: false,
    };
    if (w.arrivals) {
      figures.arrivals = {
        intended: w.arrivals.intended,
        started: w.arrivals.started,
        dropped: w.arrivals.dropped,
        lagUs: summarize(w.arrivals.lag),
      };
      figures.correctedUs = summarize(corrected);
    }
    corrected.release();
    if (w.health.size > 0) {
      const sources = [...w.health.values()];
      figures.health = { loopDelayP99Us: Math.max(...sources.map((h) => h.loopDelayP99Us)), cpu: Math.max(...sources.map((h) => h.cpu)) };
      if (sources.every((h) => h.inline)) {
        figures.health.inline = true;
        figures.health.threadWaitP99Us = Math.max(...sources.map((h) => h.threadWaitP99Us ?? 0));
      }
      figures.saturated = isSaturated(figures.health, figures.arrivals?.lagUs.p99);
    }
    w.figures = figures;
    return figures;
  }

  /** Lets go of everything merged; holds no WASM memory between reads, so this only clears. */
  destroy(): void {
    this.partTotals.clear();
    this.arrivalTotals.clear();
    this.perSource.clear();
    this.totals.clear();
    this.windows.clear();
    this.hot.length = 0;
  }
}

/** Sums the accumulators of one key (or all) over one phase (or all). */
function sum(totals: Map<string, Map<string, Accumulator>>, key?: string, phase?: string): Merged {
  return merge(totals, key, phase, summarizeMerged);
}

/** The sum of one operation, its merged histograms encoded as well. */
function sumEncoded(totals: Map<string, Map<string, Accumulator>>, key: string): Merged & { histograms: EncodedLatency } {
  return merge(totals, key, undefined, (m) => {
    const histograms: EncodedLatency = { unit: RECORDED_UNIT, latency: m.histogram.encode() };
    if (m.corrected) histograms.corrected = m.corrected.encode();
    return { ...summarizeMerged(m), histograms };
  });
}

interface MergedHistograms {
  ok: number;
  errors: ErrorsByClass;
  histogram: CountSum;
  corrected?: CountSum;
}

function summarizeMerged(m: MergedHistograms): Merged {
  const merged: Merged = { ok: m.ok, errors: m.errors, latencyUs: summarize(m.histogram) };
  if (m.corrected) merged.correctedUs = summarize(m.corrected);
  return merged;
}

/** Adds up the accumulators of one key (or all) over one phase (or all) and reads the result. */
function merge<T>(
  totals: Map<string, Map<string, Accumulator>>,
  key: string | undefined,
  phase: string | undefined,
  read: (m: MergedHistograms) => T,
): T {
  const parts = [...totals]
    .filter(([p]) => phase === undefined || p === phase)
    .flatMap(([, byKey]) => [...byKey].filter(([k]) => key === undefined || k === key).map(([, acc]) => acc));
  const histogram = new CountSum();
  const corrected = parts.some((acc) => acc.corrected) ? new CountSum() : undefined;
  const errors: ErrorsByClass = {};
  let ok = 0;
  for (const acc of parts) {
    histogram.addSum(acc.histogram);
    if (acc.corrected) corrected!.addSum(acc.corrected);
    ok += acc.ok;
    mergeErrors(errors, acc.errors);
  }
  const result = read({ ok, errors, histogram, ...(corrected ? { corrected } : {}) });
  histogram.release();
  corrected?.release();
  return result;
}

/** The figures of a sum merged only to be read, its pages given back. */
function summarizeOnce(sum: CountSum): LatencySummary {
  const figures = summarize(sum);
  sum.release();
  return figures;
}
