import { addError, type ErrorsByClass, errorTotal } from './errors.js';
import { encodeForWire, encodeHistogram, type Histogram, newHistogram, recordedFromMs, recordedFromNs } from './histogram.js';
import type { ArrivalWindow, OperationWindow } from './snapshot.js';

/** Above this many characters of histograms a window is sent compressed (see `flush`). */
const WIRE_BUDGET_CHARS = 256 * 1024;

function encodedLength(window: OperationWindow[]): number {
  let n = 0;
  for (const op of window) {
    n += op.histogram.length + (op.corrected?.length ?? 0);
    for (const part of Object.values(op.parts ?? {})) n += part.length;
  }
  return n;
}

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
    let out = this.encodeWindow(encodeForWire);
    // A window of many operations spread wide goes out in the standard encoding, 2–3× smaller:
    // a snapshot is one NATS message, and those stop at 1 MB by default.
    if (encodedLength(out) > WIRE_BUDGET_CHARS) out = this.encodeWindow(encodeHistogram);
    for (let i = 0; i < this.operations.length; i++) {
      this.histograms[i]!.reset();
      this.arrivals?.corrected[i]!.reset();
      for (const h of this.parts[i]!.values()) h.reset();
    }
    for (const window of out) {
      this.totals.ok += window.ok;
      this.totals.errors += errorTotal(window.errors);
    }
    this.errors = this.operations.map(() => ({}));
    return out;
  }

  /** The window's operations that did anything, each histogram encoded by `encode`; nothing is reset. */
  private encodeWindow(encode: (h: Histogram) => string): OperationWindow[] {
    const out: OperationWindow[] = [];
    for (let i = 0; i < this.operations.length; i++) {
      const h = this.histograms[i]!;
      const errors = this.errors[i]!;
      const ok = h.totalCount;
      if (ok === 0 && errorTotal(errors) === 0) continue;
      const window: OperationWindow = { operation: this.operations[i]!, histogram: encode(h), ok, errors };
      const corrected = this.arrivals?.corrected[i];
      if (corrected) window.corrected = encode(corrected);
      if (this.parts[i]!.size > 0) {
        window.parts = Object.fromEntries([...this.parts[i]!].map(([name, part]) => [name, encode(part)]));
      }
      out.push(window);
    }
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

  destroy(): void {
    for (const h of this.histograms) h.destroy();
    this.arrivals?.lag.destroy();
    for (const h of this.arrivals?.corrected ?? []) h.destroy();
    for (const parts of this.parts) for (const h of parts.values()) h.destroy();
  }
}
