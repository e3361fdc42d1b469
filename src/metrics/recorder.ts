import { addError, type ErrorsByClass, errorTotal } from './errors.js';
import { encodeForWire, type Histogram, newHistogram, recordedFromMs, recordedFromNs } from './histogram.js';
import type { ArrivalWindow, OperationWindow } from './snapshot.js';

/** The open model's own counts for one window: every intended arrival is started or dropped. */
interface Arrivals {
  intended: number;
  started: number;
  dropped: number;
  /** Schedule lag (actual start − intended start), as pgbench reports it. */
  lag: Histogram;
  /** Latency from the intended start, per operation: the twin of the service-time histograms. */
  corrected: Histogram[];
}

/**
 * Per-operation recording for the current window inside one worker. The hot path is `ok()`: one
 * WASM call. `flush()` encodes and resets, so VUs keep recording into the same histograms.
 */
export class Recorder {
  private readonly histograms: Histogram[];
  private errors: ErrorsByClass[];
  /** Per operation, histograms of its timed parts, made on first use (most operations have none). */
  private readonly parts: Array<Map<string, Histogram>>;
  /** Cumulative counts, so the worker can report its own totals independently of the windows. */
  readonly totals = { ok: 0, errors: 0 };
  /** Present only for open-model profiles, so the closed model's hot path does no extra work. */
  readonly arrivals: Arrivals | undefined;

  constructor(
    private readonly operations: readonly string[],
    openModel = false,
  ) {
    this.histograms = operations.map(() => newHistogram());
    this.errors = operations.map(() => ({}));
    if (openModel) {
      this.arrivals = { intended: 0, started: 0, dropped: 0, lag: newHistogram(), corrected: operations.map(() => newHistogram()) };
    }
    this.parts = operations.map(() => new Map<string, Histogram>());
  }

  /** A closed-model success, timed with `performance.now()` (ms, to the nanosecond). */
  ok(op: number, elapsedMs: number): void {
    this.histograms[op]!.recordValue(recordedFromMs(elapsedMs));
  }

  /** An open-model success: service time from the actual start, latency from the intended one (`performance.now()` ms). */
  okScheduled(op: number, serviceMs: number, correctedMs: number): void {
    this.histograms[op]!.recordValue(recordedFromMs(serviceMs));
    this.arrivals!.corrected[op]!.recordValue(recordedFromMs(correctedMs));
  }

  /** How late an open-model operation started after its intended start (`performance.now()` ms). */
  startLag(lagMs: number): void {
    this.arrivals!.lag.recordValue(recordedFromMs(lagMs));
  }

  part(op: number, name: string, elapsedNs: bigint): void {
    const parts = this.parts[op]!;
    let h = parts.get(name);
    if (!h) parts.set(name, (h = newHistogram()));
    h.recordValue(recordedFromNs(elapsedNs));
  }

  error(op: number, err: unknown): void {
    addError(this.errors[op]!, err);
  }

  flush(): OperationWindow[] {
    const out: OperationWindow[] = [];
    for (let i = 0; i < this.operations.length; i++) {
      const h = this.histograms[i]!;
      const errors = this.errors[i]!;
      const ok = h.totalCount;
      const failed = errorTotal(errors);
      if (ok === 0 && failed === 0) continue;
      const window: OperationWindow = { operation: this.operations[i]!, histogram: encodeForWire(h), ok, errors };
      const corrected = this.arrivals?.corrected[i];
      if (corrected) {
        window.corrected = encodeForWire(corrected);
        corrected.reset();
      }
      if (this.parts[i]!.size > 0) window.parts = this.flushParts(this.parts[i]!);
      out.push(window);
      this.totals.ok += ok;
      this.totals.errors += failed;
      h.reset();
    }
    this.errors = this.operations.map(() => ({}));
    return out;
  }

  /** The open model's counts for the window just ended, reset for the next. */
  flushArrivals(): ArrivalWindow | undefined {
    const a = this.arrivals;
    if (!a) return undefined;
    const out = { intended: a.intended, started: a.started, dropped: a.dropped, lag: encodeForWire(a.lag) };
    a.intended = a.started = a.dropped = 0;
    a.lag.reset();
    return out;
  }

  private flushParts(parts: Map<string, Histogram>): Record<string, string> {
    const encoded: Record<string, string> = {};
    for (const [name, h] of parts) {
      encoded[name] = encodeForWire(h);
      h.reset();
    }
    return encoded;
  }

  destroy(): void {
    for (const h of this.histograms) h.destroy();
    this.arrivals?.lag.destroy();
    for (const h of this.arrivals?.corrected ?? []) h.destroy();
    for (const parts of this.parts) for (const h of parts.values()) h.destroy();
  }
}
