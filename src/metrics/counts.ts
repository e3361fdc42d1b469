import { deflateSync, inflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { newHistogram, V2_COOKIE_BASE, v2Bytes } from './histogram.js';

/**
 * HDR bucket counts summed and read in plain JS, straight from encoded histograms (HDR's V2
 * format: ZigZag LEB128 counts with runs of empty buckets). The coordinator merges thousands of
 * snapshots a second: decoding each into a WASM histogram allocates and walks all 33,000 buckets
 * of a 1 ns–1 h histogram, where a snapshot fills a few hundred, and reading figures from a WASM
 * histogram rebuilt from the sum costs as much again. The figures read here are computed exactly
 * as hdr-histogram-js computes them (its `Histogram.ts`), so they equal those of one histogram
 * holding every sample.
 */

/** The compressed V2 cookie base (bits 4–7 say the word size); the plain one is in histogram.ts. */
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
/** What the library writes: the cookie base with its "ZigZag LEB128, zero runs" word size bit. */
const V2_COMPRESSED_COOKIE = V2_COMPRESSED_COOKIE_BASE | 0x10;
/** Cookie, payload length, then the structure: index offset, digits, lowest, highest, ratio. */
const HEADER_BYTES = 40;

/** Buckets per page of a dense sum (see `Pages`), a power of two. */
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
/** Pages cut from one allocation: a new typed array of 100 KB costs 40–170 µs here, its pages mapped and zeroed anew. */
const SLAB_PAGES = 256;
/** Zeroed pages kept for reuse at most (8 KB each). */
const FREE_PAGES = 4096;

/** The nonzero buckets of one histogram: counts array indices and their counts. */
interface SparseCounts {
  index: Int32Array;
  count: Float64Array;
}

/**
 * The layout of the histograms this process makes, which every sum keeps: their encoded header
 * (bytes 8–40 must match for counts to add index by index), and each index's lowest, median and
 * highest equivalent values (`valueFromIndex` and its kin), looked up rather than computed.
 */
interface Structure {
  header: Uint8Array;
  lowest: Float64Array;
  median: Float64Array;
  highest: Float64Array;
}

let ours: Structure | undefined;

function structure(): Structure {
  if (ours) return ours;
  const empty = newHistogram();
  try {
    const header = v2Bytes(empty).slice(0, HEADER_BYTES);
    const view = new DataView(header.buffer);
    const digits = view.getInt32(12);
    const unitMagnitude = Math.floor(Math.log2(Number(view.getBigInt64(16))));
    const highestTrackable = Number(view.getBigInt64(24));
    const halfMagnitude = Math.ceil(Math.log2(2 * 10 ** digits)) - 1;
    const half = 2 ** halfMagnitude;
    // As the library sizes its counts: one more half-bucket than the buckets that reach the top.
    let buckets = 1;
    for (let untrackable = 2 * half * 2 ** unitMagnitude; untrackable <= highestTrackable; untrackable *= 2) buckets++;
    const length = (buckets + 1) * half;
    const lowest = new Float64Array(length);
    const median = new Float64Array(length);
    const highest = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      // Bucket 0 holds the whole lower half at unit resolution; each next one doubles its step.
      const bucket = Math.max(Math.floor(i / half) - 1, 0);
      const sub = i < half ? i : (i % half) + half;
      const size = 2 ** (unitMagnitude + bucket);
      lowest[i] = sub * size;
      median[i] = lowest[i]! + Math.floor(size / 2);
      highest[i] = lowest[i]! + size - 1;
    }
    return (ours = { header, lowest, median, highest });
  } finally {
    empty.destroy();
  }
}

/** Where `payloadOf` decodes base64: writing into a kept buffer costs a tenth of `Buffer.from`'s new one. */
let base64Scratch = Buffer.allocUnsafe(64 * 1024);

/** The V2 bytes of an encoded histogram (workers send them as they are, reports compressed), valid until the next call. */
function payloadOf(encoded: string): Uint8Array {
  const most = Math.ceil(encoded.length / 4) * 3;
  if (base64Scratch.length < most) base64Scratch = Buffer.allocUnsafe(most);
  const bytes = base64Scratch.subarray(0, base64Scratch.write(encoded, 'base64'));
  const base = bytes.length >= 8 ? bytes.readInt32BE(0) & ~0xf0 : 0;
  if (base === V2_COOKIE_BASE) return bytes;
  if (base === V2_COMPRESSED_COOKIE_BASE) return inflateSync(bytes.subarray(8, 8 + bytes.readInt32BE(4)));
  throw new Error('not a V2 HDR histogram');
}

function sameStructure(payload: Uint8Array, header: Uint8Array): boolean {
  for (let i = 8; i < HEADER_BYTES; i++) if (payload[i] !== header[i]) return false;
  return true;
}

/**
 * The V2 payload of an encoded histogram in this process's structure (counts add index by index
 * only then): another structure (other bounds or digits) has the library move its counts into ours.
 */
function ourPayload(encoded: string): Uint8Array {
  const payload = payloadOf(encoded);
  if (
    payload.length < HEADER_BYTES ||
    (payload[0]! << 24) + (payload[1]! << 16) + (payload[2]! << 8) + payload[3]! !== (V2_COOKIE_BASE | 0x10)
  ) {
    throw new Error('not a V2 HDR histogram');
  }
  return sameStructure(payload, structure().header) ? payload : restructured(payload);
}

/** Where `wideWord` stopped reading. */
let wideEnd = 0;

/** A LEB128 word of three bytes or more, from `at`: summed in floats, since nine bytes pass 2^53's bits. */
function wideWord(payload: Uint8Array, at: number): number {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 9; k++, scale *= 128) {
    const byte = payload[at++]!;
    value += (k < 8 ? byte & 0x7f : byte) * scale;
    if (!(byte & 0x80)) break;
  }
  wideEnd = at;
  return value;
}

function restructured(payload: Uint8Array): Uint8Array {
  const theirs = hdr.WasmHistogram.decode(payload, 32, 0);
  const moved = newHistogram();
  try {
    moved.add(theirs);
    return v2Bytes(moved);
  } finally {
    theirs.destroy();
    moved.destroy();
  }
}

/**
 * Equal pages of dense counts, cut from large slabs and given back zeroed when a sum is compacted:
 * a thousand sums (one per source, one per hot window and operation) then cost neither an
 * allocation per sum nor a copy when one grows, and keep only the pages their buckets touch.
 */
class Pages {
  private readonly free: Float64Array[] = [];
  private slab = new Float64Array(0);
  private cut = 0;

  take(): Float64Array {
    const reused = this.free.pop();
    if (reused) return reused;
    if (this.cut === this.slab.length) {
      this.slab = new Float64Array(SLAB_PAGES * PAGE);
      this.cut = 0;
    }
    this.cut += PAGE;
    return this.slab.subarray(this.cut - PAGE, this.cut);
  }

  give(page: Float64Array): void {
    if (this.free.length >= FREE_PAGES) return;
    page.fill(0);
    this.free.push(page);
  }
}

const pages = new Pages();

/**
 * A sum of bucket counts: dense while it takes additions, encoded as a report stores it once
 * `compact()` says it is done (a window that went cold: 1.5 KB where its nonzero buckets took 19 KB
 * for 2,000 samples, so that a long run's coordinator holds little per window). It reads like an
 * HDR histogram (`summarize` takes either): the same figures from the same counts.
 */
export class CountSum {
  /** Dense counts by page (bucket index >> PAGE_BITS); a page no bucket has reached is absent. */
  private dense: (Float64Array | undefined)[] = [];
  /** Once compacted: the counts in the standard encoding (see `encode`), and no pages. */
  private packed: string | undefined;
  /** The nonzero buckets of the dense counts, kept while no count is added: a summary reads them nine times. */
  private view: SparseCounts | undefined;
  totalCount = 0;

  /**
   * Adds an encoded histogram (plain or compressed V2, base64) to this sum and to `b` and `c` when
   * given, decoding as it goes: each count is read once and added where it belongs, with no
   * decoded copy in between (the coordinator adds each snapshot to its window, its source and,
   * for a late one, the totals).
   */
  addEncoded(encoded: string, b?: CountSum, c?: CountSum): void {
    // First, since a compacted sum decodes its own counts, and the payload's bytes are valid until the next decode.
    for (const sum of [this, b, c]) {
      sum?.expand();
      if (sum) sum.view = undefined;
    }
    const payload = ourPayload(encoded);
    const end = HEADER_BYTES + ((payload[4]! << 24) | (payload[5]! << 16) | (payload[6]! << 8) | payload[7]!);
    if (end > payload.length) throw new Error('HDR histogram payload ends early');
    const [da, db, dc] = [this.dense, b?.dense, c?.dense];
    // Buckets come in order: one page lookup per page, not per bucket.
    let at = -1;
    let pa: Float64Array | undefined;
    let pb: Float64Array | undefined;
    let pc: Float64Array | undefined;
    let total = 0;
    let bucket = 0;
    let i = HEADER_BYTES;
    while (i < end) {
      // ZigZag LEB128-64b9B: even values are counts (×2), odd ones runs of empty buckets. Nearly
      // every word is one or two bytes, read with integer operations; longer ones may pass 2^32.
      let word = payload[i++]!;
      let count: number;
      if (word < 0x80 || payload[i]! < 0x80) {
        if (word >= 0x80) word = (word & 0x7f) | (payload[i++]! << 7);
        if (word & 1) {
          bucket += (word + 1) >> 1;
          continue;
        }
        count = word >> 1;
      } else {
        const value = wideWord(payload, i - 1);
        i = wideEnd;
        if (value % 2 === 1) {
          bucket += (value + 1) / 2;
          continue;
        }
        count = value / 2;
      }
      if (count > 0) {
        if (bucket >> PAGE_BITS !== at) {
          at = bucket >> PAGE_BITS;
          pa = da[at] ??= pages.take();
          if (db) pb = db[at] ??= pages.take();
          if (dc) pc = dc[at] ??= pages.take();
        }
        const k = bucket & (PAGE - 1);
        pa![k]! += count;
        if (pb) pb[k]! += count;
        if (pc) pc[k]! += count;
        total += count;
      }
      bucket++;
    }
    this.totalCount += total;
    if (b) b.totalCount += total;
    if (c) c.totalCount += total;
  }

  addSum(other: CountSum): void {
    if (other.packed !== undefined) return this.addEncoded(other.packed);
    this.expand();
    this.view = undefined;
    for (let p = 0; p < other.dense.length; p++) {
      const from = other.dense[p];
      if (!from) continue;
      const page = (this.dense[p] ??= pages.take());
      for (let i = 0; i < PAGE; i++) if (from[i] !== 0) page[i]! += from[i]!;
    }
    this.totalCount += other.totalCount;
  }

  /** Keeps the counts encoded and gives the pages back: for sums that rarely take more (a window once it is old). */
  compact(): void {
    if (this.packed !== undefined) return;
    const [packed, total] = [this.encode(), this.totalCount];
    this.release();
    this.packed = packed;
    this.totalCount = total;
  }

  /**
   * Empties the sum and gives its pages back: for a sum merged only to be read. A page of a sum
   * left to the GC is lost to the pool, and the slab it was cut from stays alive.
   */
  release(): void {
    for (const page of this.dense) if (page) pages.give(page);
    this.dense = [];
    this.view = undefined;
    this.packed = undefined;
    this.totalCount = 0;
  }

  /** Lowest value of the first nonzero bucket above 0; the library's "none" when there is none. */
  get minNonZeroValue(): number {
    const { index } = this.nonzero();
    for (let k = 0; k < index.length; k++) if (index[k]! !== 0) return structure().lowest[index[k]!]!;
    return Number.MAX_SAFE_INTEGER;
  }

  get maxValue(): number {
    const { index } = this.nonzero();
    return index.length === 0 ? 0 : structure().highest[index[index.length - 1]!]!;
  }

  /** As the library: the highest value of the bucket where the count reaches the percentile (lowest at 0). */
  getValueAtPercentile(percentile: number): number {
    const fp = (Math.min(percentile, 100) / 100) * this.totalCount;
    const target = Math.max(Math.ceil(fp - ulp(fp)), 1);
    const { index, count } = this.nonzero();
    const { lowest, highest } = structure();
    let running = 0;
    for (let k = 0; k < index.length; k++) {
      running += count[k]!;
      if (running >= target) return percentile === 0 ? lowest[index[k]!]! : highest[index[k]!]!;
    }
    return 0;
  }

  /** As the library: each bucket counts at its median equivalent value, summed as an integer. */
  get mean(): number {
    if (this.totalCount === 0) return 0;
    const { index, count } = this.nonzero();
    const { median } = structure();
    let sum = 0;
    for (let k = 0; k < index.length; k++) sum += median[index[k]!]! * count[k]!;
    // Past 2^53 a float sum rounds: the library sums in 64-bit integers, and so does this then.
    if (sum >= 2 ** 53) {
      let exact = 0n;
      for (let k = 0; k < index.length; k++) exact += BigInt(median[index[k]!]!) * BigInt(count[k]!);
      sum = Number(exact);
    }
    return sum / this.totalCount;
  }

  get stdDeviation(): number {
    if (this.totalCount === 0) return 0;
    const mean = this.mean;
    const { index, count } = this.nonzero();
    const { median } = structure();
    let total = 0;
    for (let k = 0; k < index.length; k++) {
      const deviation = median[index[k]!]! - mean;
      total += deviation * deviation * count[k]!;
    }
    return Math.sqrt(total / this.totalCount);
  }

  /** The standard encoding (compressed V2, base64), byte for byte what the library writes for these counts. */
  encode(): string {
    const { header } = structure();
    const { index, count } = this.nonzero();
    const bytes = new Uint8Array(HEADER_BYTES + index.length * 18);
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
    let next = 0;
    for (let k = 0; k < index.length; k++) {
      const gap = index[k]! - next;
      // A single empty bucket is a count of 0; longer runs are one negative word.
      if (gap > 0) put(gap > 1 ? -gap : 0);
      put(count[k]!);
      next = index[k]! + 1;
    }
    new DataView(bytes.buffer).setInt32(4, at - HEADER_BYTES);
    const compressed = deflateSync(bytes.subarray(0, at));
    const out = Buffer.alloc(8 + compressed.length);
    out.writeInt32BE(V2_COMPRESSED_COOKIE, 0);
    out.writeInt32BE(compressed.length, 4);
    compressed.copy(out, 8);
    return out.toString('base64');
  }

  /** The nonzero buckets in index order. */
  private nonzero(): SparseCounts {
    this.expand();
    if (this.view) return this.view;
    let n = 0;
    for (const page of this.dense) if (page) for (let i = 0; i < PAGE; i++) if (page[i] !== 0) n++;
    const index = new Int32Array(n);
    const count = new Float64Array(n);
    n = 0;
    for (let p = 0; p < this.dense.length; p++) {
      const page = this.dense[p];
      if (!page) continue;
      for (let i = 0; i < PAGE; i++) {
        if (page[i] === 0) continue;
        index[n] = (p << PAGE_BITS) | i;
        count[n++] = page[i]!;
      }
    }
    return (this.view = { index, count });
  }

  /** Back to dense counts, for a sum read or added to after it was compacted (a late snapshot for an old window). */
  private expand(): void {
    if (this.packed === undefined) return;
    const packed = this.packed;
    this.packed = undefined;
    // addEncoded counts them again.
    this.totalCount = 0;
    this.addEncoded(packed);
  }
}

/** The library's `ulp`, as its percentile computes it. */
function ulp(x: number): number {
  return Math.pow(2, Math.floor(Math.log2(x)) - 52);
}
