/**
 * Skewed key choices as YCSB's core workload makes them (ZipfianGenerator, ScrambledZipfianGenerator,
 * SkewedLatestGenerator), after Gray et al., "Quickly Generating Billion-Record Synthetic
 * Databases" (SIGMOD 1994). Each takes a uniform draw in [0, 1) so the caller's seeded stream
 * decides every value.
 */

/** YCSB's default skew. */
export const ZIPF_DEFAULT_S = 0.99;

/** ζ(n, θ) = Σ_{i=1..n} 1 / i^θ, continued from an earlier sum (`from` terms already in `sum`). */
export function zeta(n: number, theta: number, from = 0, sum = 0): number {
  let z = sum;
  for (let i = from; i < n; i++) z += 1 / Math.pow(i + 1, theta);
  return z;
}

/**
 * Ranks 0..n−1, rank 0 the most popular, P(rank i) ∝ 1/(i+1)^s. The item count may grow (latest
 * keys): ζ(n) is then extended by the new terms only, as YCSB does.
 */
export class Zipfian {
  private n: number;
  private zetan: number;
  private eta: number;
  private readonly alpha: number;
  private readonly zeta2: number;
  private readonly half: number;

  constructor(
    items: number,
    private readonly s = ZIPF_DEFAULT_S,
    /** ζ(items, s) when known (YCSB's constant for its scrambled generator), to skip the sum. */
    zetan?: number,
  ) {
    if (!(items >= 1)) throw new RangeError(`zipf: n must be at least 1 (got ${items})`);
    if (!(s > 0) || s === 1) throw new RangeError(`zipf: s must be positive and not 1 (got ${s})`);
    this.n = items;
    this.alpha = 1 / (1 - s);
    this.zeta2 = zeta(2, s);
    this.half = 1 + Math.pow(0.5, s);
    this.zetan = zetan ?? zeta(items, s);
    this.eta = this.etaFor(items);
  }

  private etaFor(n: number): number {
    return (1 - Math.pow(2 / n, 1 - this.s)) / (1 - this.zeta2 / this.zetan);
  }

  /** A rank in [0, items) for the uniform draw `u`; `items` above the current count extends ζ. */
  rank(u: number, items = this.n): number {
    if (items > this.n) {
      this.zetan = zeta(items, this.s, this.n, this.zetan);
      this.n = items;
      this.eta = this.etaFor(items);
    }
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < this.half) return 1;
    return Math.min(items - 1, Math.floor(items * Math.pow(this.eta * u - this.eta + 1, this.alpha)));
  }
}

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 1099511628211n;
const MASK_64 = (1n << 64n) - 1n;

/** YCSB's Utils.fnvhash64: FNV-1a over the value's 8 bytes, as a non-negative signed 64-bit number. */
export function fnvhash64(value: number): bigint {
  let v = BigInt(value);
  let hash = FNV_OFFSET_64;
  for (let i = 0; i < 8; i++) {
    hash = ((hash ^ (v & 0xffn)) * FNV_PRIME_64) & MASK_64;
    v >>= 8n;
  }
  // Java's Math.abs on the signed value (Long.MIN_VALUE stays negative; it is never hit in practice).
  return hash >= 1n << 63n ? (1n << 64n) - hash : hash;
}

/** YCSB's ScrambledZipfianGenerator draws from this many items with this precomputed ζ (s = 0.99). */
const SCRAMBLED_ITEMS = 10_000_000_000;
const SCRAMBLED_ZETAN = 26.46902820178302;

/** Zipfian popularity spread over the key space by a hash, so the hot keys are not neighbours. */
export class ScrambledZipfian {
  private readonly zipf: Zipfian;
  private readonly space: number;

  constructor(
    private readonly items: number,
    s = ZIPF_DEFAULT_S,
  ) {
    // YCSB's constant only holds for its own skew; any other skew sums ζ over the real key count.
    this.space = s === ZIPF_DEFAULT_S ? SCRAMBLED_ITEMS : items;
    this.zipf = s === ZIPF_DEFAULT_S ? new Zipfian(SCRAMBLED_ITEMS, s, SCRAMBLED_ZETAN) : new Zipfian(items, s);
  }

  /** An item in [0, items). */
  next(u: number): number {
    return Number(fnvhash64(this.zipf.rank(u, this.space)) % BigInt(this.items));
  }
}

/** YCSB's SkewedLatestGenerator: the most recently inserted keys are the most popular. */
export class SkewedLatest {
  private readonly zipf: Zipfian;

  constructor(items: number, s = ZIPF_DEFAULT_S) {
    this.zipf = new Zipfian(items, s);
  }

  /** An item in [0, latest], `latest` being the highest key inserted so far. */
  next(u: number, latest: number): number {
    return latest - this.zipf.rank(u, latest + 1);
  }
}
