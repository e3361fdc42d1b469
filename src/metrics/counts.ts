import * as hdr from 'hdr-histogram-js';
import { decodeHistogram, encodeHistogram, type Histogram, newHistogram } from './histogram.js';
import { inflateZlib } from './inflate.js';

/**
 * HDR bucket counts summed in plain JS, straight from encoded histograms (HDR's V2 format:
 * compressed base64 around ZigZag LEB128 counts). The coordinator merges thousands of snapshots a
 * second: decoding each into a WASM histogram allocates and walks all 20,000+ buckets of a
 * 1 µs–1 h histogram, where a snapshot fills a few hundred. A WASM histogram is made only to read
 * figures, from the summed counts, through the library's own decoder: its figures are those of the
 * histograms added with `add()` (the same counts, so the same min, max, mean and percentiles).
 */

const V2_COOKIE = 0x1c849313;
const V2_COMPRESSED_COOKIE = 0x1c849304;
/** Cookie, payload length, then the structure: index offset, digits, lowest, highest, ratio. */
const HEADER_BYTES = 40;

/** The nonzero buckets of one histogram: counts array indices and their counts. */
export interface SparseCounts {
  index: Int32Array;
  count: Float64Array;
}

let reference: Uint8Array | undefined;

/** The structure (header bytes 8–40) of the histograms this process makes, which every sum keeps. */
function referenceHeader(): Uint8Array {
  if (reference) return reference;
  const empty = newHistogram();
  try {
    return (reference = payloadOf(encodeHistogram(empty)).slice(0, HEADER_BYTES));
  } finally {
    empty.destroy();
  }
}

function payloadOf(encoded: string): Uint8Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE) throw new Error('not a compressed V2 HDR histogram');
  return inflateZlib(bytes.subarray(8, 8 + bytes.readInt32BE(4)));
}

function sameStructure(payload: Uint8Array, header: Uint8Array): boolean {
  for (let i = 8; i < HEADER_BYTES; i++) if (payload[i] !== header[i]) return false;
  return true;
}

/** Where `decodeCounts` writes: reused, since every caller adds the counts at once. */
let scratch = { index: new Int32Array(4096), count: new Float64Array(4096) };

/** Nonzero bucket counts of an encoded histogram, as views the next call overwrites: add them before decoding again. */
export function decodeCounts(encoded: string): SparseCounts {
  const header = referenceHeader();
  const payload = payloadOf(encoded);
  if (payload.length < HEADER_BYTES || (payload[0]! << 24) + (payload[1]! << 16) + (payload[2]! << 8) + payload[3]! !== V2_COOKIE) {
    throw new Error('not a V2 HDR histogram');
  }
  // Another structure (other bounds or digits): the library moves its counts into ours.
  if (!sameStructure(payload, header)) return decodeCounts(restructured(encoded));
  const end = HEADER_BYTES + ((payload[4]! << 24) | (payload[5]! << 16) | (payload[6]! << 8) | payload[7]!);
  if (end > payload.length) throw new Error('HDR histogram payload ends early');
  let n = 0;
  if (scratch.index.length < end - HEADER_BYTES) scratch = { index: new Int32Array(end), count: new Float64Array(end) };
  const { index, count } = scratch;
  let at = HEADER_BYTES;
  let dst = 0;
  while (at < end) {
    // ZigZag LEB128-64b9B: positive values are counts, negative ones runs of empty buckets.
    let value = 0;
    let scale = 1;
    for (let k = 0; k < 9; k++) {
      const b = payload[at++]!;
      value += (k < 8 ? b & 0x7f : b) * scale;
      scale *= 128;
      if (k === 8 || !(b & 0x80)) break;
    }
    if (value % 2 === 1) dst += (value + 1) / 2;
    else {
      if (value > 0) {
        index[n] = dst;
        count[n++] = value / 2;
      }
      dst++;
    }
  }
  return { index: index.subarray(0, n), count: count.subarray(0, n) };
}

function restructured(encoded: string): string {
  const h = decodeHistogram(encoded);
  const ours = newHistogram();
  try {
    ours.add(h);
    return encodeHistogram(ours);
  } finally {
    h.destroy();
    ours.destroy();
  }
}

/** A sum of bucket counts: dense while it takes additions, sparse once `compact()` says it is done. */
export class CountSum {
  private dense = new Float64Array(0);
  private sparse: SparseCounts | undefined;
  total = 0;

  add(s: SparseCounts): void {
    if (s.index.length === 0) return;
    this.expand();
    const top = s.index[s.index.length - 1]!;
    if (top >= this.dense.length) this.grow(top + 1);
    const dense = this.dense;
    for (let i = 0; i < s.index.length; i++) {
      dense[s.index[i]!]! += s.count[i]!;
      this.total += s.count[i]!;
    }
  }

  addSum(other: CountSum): void {
    if (other.sparse) return this.add(other.sparse);
    this.expand();
    if (other.dense.length > this.dense.length) this.grow(other.dense.length);
    const dense = this.dense;
    const from = other.dense;
    for (let i = 0; i < from.length; i++) if (from[i] !== 0) dense[i]! += from[i]!;
    this.total += other.total;
  }

  /** Keeps only the nonzero buckets: for sums that rarely take more (a window once it is old). */
  compact(): void {
    if (this.sparse) return;
    let n = 0;
    for (const c of this.dense) if (c !== 0) n++;
    const index = new Int32Array(n);
    const count = new Float64Array(n);
    n = 0;
    for (let i = 0; i < this.dense.length; i++) {
      if (this.dense[i] === 0) continue;
      index[n] = i;
      count[n++] = this.dense[i]!;
    }
    this.sparse = { index, count };
    this.dense = new Float64Array(0);
  }

  /** A WASM histogram of these counts, decoded by the library from their V2 encoding; the caller destroys it. */
  histogram(): Histogram {
    if (this.total === 0) return newHistogram();
    this.expand();
    const header = referenceHeader();
    const bytes = new Uint8Array(HEADER_BYTES + this.dense.length * 9);
    bytes.set(header);
    let at = HEADER_BYTES;
    const put = (signed: number): void => {
      let value = signed >= 0 ? signed * 2 : -signed * 2 - 1;
      for (let k = 0; k < 8 && value >= 128; k++) {
        bytes[at++] = (value % 128) | 0x80;
        value = Math.floor(value / 128);
      }
      bytes[at++] = value;
    };
    let last = this.dense.length - 1;
    while (this.dense[last] === 0) last--;
    for (let i = 0; i <= last;) {
      if (this.dense[i] !== 0) {
        put(this.dense[i++]!);
        continue;
      }
      const from = i;
      while (this.dense[i] === 0) i++;
      put(i - from > 1 ? from - i : 0);
    }
    const length = at - HEADER_BYTES;
    bytes[4] = length >>> 24;
    bytes[5] = (length >>> 16) & 0xff;
    bytes[6] = (length >>> 8) & 0xff;
    bytes[7] = length & 0xff;
    return hdr.WasmHistogram.decode(bytes.subarray(0, at), 32, 0);
  }

  private expand(): void {
    if (!this.sparse) return;
    const { index, count } = this.sparse;
    this.sparse = undefined;
    this.dense = new Float64Array(index.length ? index[index.length - 1]! + 1 : 0);
    for (let i = 0; i < index.length; i++) this.dense[index[i]!] = count[i]!;
  }

  private grow(length: number): void {
    const grown = new Float64Array(Math.max(length, this.dense.length * 2));
    grown.set(this.dense);
    this.dense = grown;
  }
}
