import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/**
 * The one place that knows what a latency histogram records: integer nanoseconds, from one unit
 * to 1 h, 3 significant digits, so that an in-process operation of 480 ns is not rounded to 0.
 * Timings enter through `recordedFromNs`/`recordedFromMs`, and `summarize` hands out microseconds
 * (fractional below one) whatever a histogram records: reports written before this recorded µs,
 * and their encoded histograms say so in their `unit`.
 */
export const RECORDED_UNIT = 'ns';
export type RecordedUnit = typeof RECORDED_UNIT;
export type HistogramUnit = 'us' | 'ns';
const NS_PER: Record<HistogramUnit, number> = { us: 1000, ns: 1 };
const NS_PER_RECORDED = NS_PER[RECORDED_UNIT];
const HIGHEST_TRACKABLE = 3_600_000_000_000 / NS_PER_RECORDED;

/** An elapsed `hrtime` in the recorded unit. */
export function recordedFromNs(ns: bigint): number {
  const recorded = Number(ns) / NS_PER_RECORDED;
  return recorded < HIGHEST_TRACKABLE ? recorded : HIGHEST_TRACKABLE;
}

/** A `performance.now()` difference in the recorded unit, to the nearest (0.00048 ms is 479.99… ns in binary). */
export function recordedFromMs(ms: number): number {
  return Math.min(Math.round((ms * 1_000_000) / NS_PER_RECORDED), HIGHEST_TRACKABLE);
}

let wasmReady: Promise<void> | undefined;

/** WASM records in 18–44 ns against 77–168 ns in JS; every thread calls this once. */
export function initHistograms(): Promise<void> {
  wasmReady ??= hdr.initWebAssembly();
  return wasmReady;
}

export function newHistogram(): Histogram {
  return hdr.build({
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE,
    numberOfSignificantValueDigits: 3,
  });
}

/** The standard encoding (compressed V2, base64): what reports keep and HDR tools read. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** HDR's uncompressed V2 cookie, without its word-size bits (the compressed one ends in 4). */
export const V2_COOKIE_BASE = 0x1c849303;

/** The uncompressed V2 encoding of one of our (WASM) histograms. */
export function v2Bytes(h: Histogram): Uint8Array {
  if (!(h instanceof hdr.WasmHistogram)) throw new Error('histograms are made by newHistogram(), in WASM');
  return h.encode();
}

/**
 * What a worker sends each window: the uncompressed V2 encoding, base64. It is larger than the
 * standard one, but the coordinator adds it up without inflating it (counts.ts), and inflating
 * cost more than the rest of merging a snapshot.
 */
export function encodeForWire(h: Histogram): string {
  const bytes = v2Bytes(h);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes into a WASM histogram, the kind every merge adds into (JS and WASM do not mix): the
 * standard encoding, or the uncompressed one a snapshot carries (told apart by their cookies).
 */
export function decodeHistogram(encoded: string): Histogram {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length >= 4 && (bytes.readInt32BE(0) & ~0xf0) === V2_COOKIE_BASE) return hdr.WasmHistogram.decode(bytes, 32);
  return hdr.decodeFromCompressedBase64(encoded, 32, true);
}

/** What a summary reads: a histogram, or bucket counts summed in JS that read alike (counts.ts). */
export type HistogramReading = Pick<
  Histogram,
  'totalCount' | 'minNonZeroValue' | 'maxValue' | 'mean' | 'stdDeviation' | 'getValueAtPercentile'
>;

/** Latency figures in microseconds, read from one merged histogram. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  max: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** The summary of no samples at all. */
export function noLatency(): LatencySummary {
  return { count: 0, min: 0, mean: 0, max: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
}

/**
 * Summary in microseconds, read from the merged histogram (never from averaged percentiles);
 * `unit` is what the histogram recorded (an older report's encoded histograms recorded µs).
 */
export function summarize(h: HistogramReading, unit: HistogramUnit = RECORDED_UNIT): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return noLatency();
  const nsPer = NS_PER[unit];
  const us = (recorded: number): number => (recorded * nsPer) / 1000;
  // Means keep a nanosecond's precision, as every recorded value does.
  const round = (x: number): number => Math.round(x * nsPer) / 1000;
  return {
    count,
    min: us(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : Math.min(h.minNonZeroValue, h.getValueAtPercentile(0))),
    mean: round(h.mean),
    max: us(h.maxValue),
    stddev: round(h.stdDeviation),
    p50: us(h.getValueAtPercentile(50)),
    p90: us(h.getValueAtPercentile(90)),
    p95: us(h.getValueAtPercentile(95)),
    p99: us(h.getValueAtPercentile(99)),
    p999: us(h.getValueAtPercentile(99.9)),
  };
}

/** One summary figure of a histogram (a window's mean or percentile), in microseconds. */
export function percentileUs(h: HistogramReading, percentile: number): number {
  return (h.getValueAtPercentile(percentile) * NS_PER_RECORDED) / 1000;
}

export function meanUs(h: HistogramReading): number {
  return h.totalCount > 0 ? (h.mean * NS_PER_RECORDED) / 1000 : 0;
}
