/**
 * A zlib (RFC 1950/1951) decoder for the small payloads encoded histograms are: node's
 * `inflateSync` spends ~15 µs setting up a stream per call, longer than decoding a snapshot's
 * histogram takes here. Decoding follows zlib's `puff.c`: canonical Huffman codes read bit by bit.
 */

const MAX_BITS = 15;
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order code-length code lengths come in (RFC 1951, 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Codes up to this long decode with one look-up; longer ones (rare) bit by bit. */
const FAST_BITS = 9;
const FAST_MASK = (1 << FAST_BITS) - 1;

/**
 * A canonical Huffman code: how many codes of each length, the symbols in code order, and a
 * table from the next FAST_BITS input bits to `symbol << 4 | length` (0 for a longer code).
 */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
  fast: Uint16Array;
}

function huffman(size: number): Huffman {
  return { count: new Uint16Array(MAX_BITS + 1), symbol: new Uint16Array(size), fast: new Uint16Array(1 << FAST_BITS) };
}

const offsets = new Uint16Array(MAX_BITS + 1);
/** Each FAST_BITS-bit number with its bits in reverse order. */
const REVERSED = Uint16Array.from({ length: 1 << FAST_BITS }, (_, i) => {
  let r = 0;
  for (let b = 0; b < FAST_BITS; b++) r |= ((i >> b) & 1) << (FAST_BITS - 1 - b);
  return r;
});

/** Fills `h` from code lengths; false when the lengths over-subscribe the code. */
function construct(h: Huffman, lengths: Uint8Array, n: number): boolean {
  h.count.fill(0);
  for (let s = 0; s < n; s++) h.count[lengths[s]!]!++;
  if (h.count[0] === n) return true;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - h.count[len]!;
    if (left < 0) return false;
  }
  offsets.fill(0);
  for (let len = 1; len < MAX_BITS; len++) offsets[len + 1] = offsets[len]! + h.count[len]!;
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) h.symbol[offsets[lengths[s]!]!++] = s;
  // Canonical codes in symbol order; the stream sends each code's bits first to last, so the
  // table is indexed by the code reversed.
  h.fast.fill(0);
  let code = 0;
  let index = 0;
  for (let len = 1; len <= FAST_BITS; len++, code <<= 1) {
    for (let k = 0; k < h.count[len]!; k++, code++, index++) {
      const reversed = REVERSED[code]! >> (FAST_BITS - len);
      for (let r = reversed; r <= FAST_MASK; r += 1 << len) h.fast[r] = (h.symbol[index]! << 4) | len;
    }
  }
  return true;
}

/** The decoder's state: one payload at a time, on the thread that calls it. */
let input: Uint8Array = new Uint8Array(0);
let at = 0;
let bitBuffer = 0;
let bitCount = 0;
let output: Uint8Array = new Uint8Array(1 << 12);
let written = 0;

function fail(why: string): never {
  throw new Error(`corrupt compressed histogram: ${why}`);
}

function bits(n: number): number {
  while (bitCount < n) {
    if (at >= input.length) fail('ends early');
    bitBuffer |= input[at++]! << bitCount;
    bitCount += 8;
  }
  const v = bitBuffer & ((1 << n) - 1);
  bitBuffer >>>= n;
  bitCount -= n;
  return v;
}

function decodeSymbol(h: Huffman): number {
  while (bitCount < FAST_BITS && at < input.length) {
    bitBuffer |= input[at++]! << bitCount;
    bitCount += 8;
  }
  const entry = h.fast[bitBuffer & FAST_MASK]!;
  const len = entry & 15;
  if (entry !== 0 && len <= bitCount) {
    bitBuffer >>>= len;
    bitCount -= len;
    return entry >> 4;
  }
  return decodeSlowly(h);
}

function decodeSlowly(h: Huffman): number {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    if (bitCount === 0) {
      if (at >= input.length) fail('ends early');
      bitBuffer = input[at++]!;
      bitCount = 8;
    }
    code |= bitBuffer & 1;
    bitBuffer >>>= 1;
    bitCount--;
    const count = h.count[len]!;
    if (code - count < first) return h.symbol[index + (code - first)]!;
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return fail('bad code');
}

/** Whole bytes read ahead into the bit buffer go back to the input. */
function unreadWholeBytes(): void {
  at -= bitCount >> 3;
  bitCount &= 7;
  bitBuffer &= (1 << bitCount) - 1;
}

function stored(): void {
  unreadWholeBytes();
  bitBuffer = 0;
  bitCount = 0;
  if (at + 4 > input.length) fail('ends early');
  const len = input[at]! | (input[at + 1]! << 8);
  if ((len ^ (input[at + 2]! | (input[at + 3]! << 8))) !== 0xffff) fail('stored length');
  at += 4;
  if (at + len > input.length) fail('ends early');
  if (written + len > output.length) output = grow(output, written, len);
  output.set(input.subarray(at, at + len), written);
  written += len;
  at += len;
}

/**
 * One block's symbols. The bit reader lives in locals here, where nearly all the time goes, and
 * goes back to the module's state around the rare slow paths.
 */
function codes(lengthCode: Huffman, distCode: Huffman): void {
  const src = input;
  const end = src.length;
  const litFast = lengthCode.fast;
  const distFast = distCode.fast;
  let pos = at;
  let buf = bitBuffer;
  let cnt = bitCount;
  let out = output;
  let w = written;
  for (;;) {
    while (cnt < 16 && pos < end) {
      buf |= src[pos++]! << cnt;
      cnt += 8;
    }
    let entry = litFast[buf & FAST_MASK]!;
    let symbol: number;
    if (entry !== 0 && (entry & 15) <= cnt) {
      buf >>>= entry & 15;
      cnt -= entry & 15;
      symbol = entry >> 4;
    } else {
      at = pos;
      bitBuffer = buf;
      bitCount = cnt;
      symbol = decodeSlowly(lengthCode);
      pos = at;
      buf = bitBuffer;
      cnt = bitCount;
    }
    if (symbol < 256) {
      if (w === out.length) out = grow(out, w, 1);
      out[w++] = symbol;
      continue;
    }
    if (symbol === 256) break;
    symbol -= 257;
    if (symbol >= 29) fail('bad length');
    at = pos;
    bitBuffer = buf;
    bitCount = cnt;
    const len = LENGTH_BASE[symbol]! + bits(LENGTH_EXTRA[symbol]!);
    while (bitCount < FAST_BITS && at < end) {
      bitBuffer |= src[at++]! << bitCount;
      bitCount += 8;
    }
    entry = distFast[bitBuffer & FAST_MASK]!;
    let d: number;
    if (entry !== 0 && (entry & 15) <= bitCount) {
      bitBuffer >>>= entry & 15;
      bitCount -= entry & 15;
      d = entry >> 4;
    } else d = decodeSlowly(distCode);
    if (d >= 30) fail('bad distance');
    const dist = DIST_BASE[d]! + bits(DIST_EXTRA[d]!);
    pos = at;
    buf = bitBuffer;
    cnt = bitCount;
    if (dist > w) fail('distance too far back');
    if (w + len > out.length) out = grow(out, w, len);
    // Byte by byte: a copy may overlap what it writes (a run).
    for (let i = 0; i < len; i++, w++) out[w] = out[w - dist]!;
  }
  at = pos;
  bitBuffer = buf;
  bitCount = cnt;
  output = out;
  written = w;
}

function grow(out: Uint8Array, used: number, more: number): Uint8Array {
  let size = out.length * 2;
  while (size < used + more) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(out.subarray(0, used));
  return grown;
}

let fixedTables: { lengthCode: Huffman; distCode: Huffman } | undefined;

function fixed(): { lengthCode: Huffman; distCode: Huffman } {
  if (fixedTables) return fixedTables;
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  const lengthCode = huffman(288);
  construct(lengthCode, lengths, 288);
  const distCode = huffman(30);
  construct(distCode, new Uint8Array(30).fill(5), 30);
  return (fixedTables = { lengthCode, distCode });
}

const dynamicLength = huffman(288);
const dynamicDist = huffman(30);
const codeLengthCode = huffman(19);
const lengths = new Uint8Array(288 + 30);

function dynamic(): void {
  const nlen = bits(5) + 257;
  const ndist = bits(5) + 1;
  const ncode = bits(4) + 4;
  if (nlen > 286 || ndist > 30) fail('bad counts');
  lengths.fill(0, 0, 19);
  for (let i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i]!] = bits(3);
  if (!construct(codeLengthCode, lengths, 19)) fail('bad code lengths');
  let i = 0;
  while (i < nlen + ndist) {
    let symbol = decodeSymbol(codeLengthCode);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let len = 0;
    if (symbol === 16) {
      if (i === 0) fail('repeat with no length');
      len = lengths[i - 1]!;
      symbol = 3 + bits(2);
    } else symbol = symbol === 17 ? 3 + bits(3) : 11 + bits(7);
    if (i + symbol > nlen + ndist) fail('too many lengths');
    while (symbol--) lengths[i++] = len;
  }
  if (lengths[256] === 0) fail('no end of block');
  if (!construct(dynamicLength, lengths, nlen)) fail('bad literal code');
  if (!construct(dynamicDist, lengths.subarray(nlen), ndist)) fail('bad distance code');
  codes(dynamicLength, dynamicDist);
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    // zlib's NMAX: the most bytes summed before a reduction keeps b within 32 bits.
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) b += a += data[i]!;
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * The bytes a zlib stream holds. The result is a view into a buffer the next call reuses: read it
 * before inflating again.
 */
export function inflateZlib(data: Uint8Array): Uint8Array {
  if (data.length < 6 || (data[0]! & 0x0f) !== 8 || ((data[0]! << 8) | data[1]!) % 31 !== 0 || data[1]! & 0x20) fail('not a zlib stream');
  input = data;
  at = 2;
  bitBuffer = 0;
  bitCount = 0;
  written = 0;
  let last = 0;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) stored();
    else if (type === 1) {
      const { lengthCode, distCode } = fixed();
      codes(lengthCode, distCode);
    } else if (type === 2) dynamic();
    else fail('bad block type');
  } while (!last);
  const out = output.subarray(0, written);
  unreadWholeBytes();
  if (at + 4 > data.length) fail('no checksum');
  const sum = ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
  if (sum !== adler32(out)) fail('checksum');
  input = new Uint8Array(0);
  return out;
}
