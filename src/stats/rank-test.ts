/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum), the test benchstat uses: no assumption of
 * normality. Exact for small samples without ties; otherwise the normal approximation with tie
 * and continuity corrections.
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return 1;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  let r1 = 0;
  all.forEach((x, i) => {
    if (x.g === 0) r1 += ranks[i]!;
  });
  const u = r1 - (n1 * (n1 + 1)) / 2;
  if (tieTerm === 0 && n1 <= EXACT_MAX && n2 <= EXACT_MAX) return exactP(u, n1, n2);
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const EXACT_MAX = 30;
const distributions = new Map<string, number[]>();

/** Number of arrangements giving each U for samples of m and n (N(u; m, n) = N(u - n; m - 1, n) + N(u; m, n - 1)). */
function uCounts(m: number, n: number): number[] {
  const key = `${m},${n}`;
  const known = distributions.get(key);
  if (known) return known;
  let counts: number[];
  if (m === 0 || n === 0) counts = [1];
  else {
    const fewerM = uCounts(m - 1, n);
    const fewerN = uCounts(m, n - 1);
    counts = Array.from({ length: m * n + 1 }, (_, u) => (u >= n ? (fewerM[u - n] ?? 0) : 0) + (fewerN[u] ?? 0));
  }
  distributions.set(key, counts);
  return counts;
}

function exactP(u: number, n1: number, n2: number): number {
  const counts = uCounts(n1, n2);
  const total = counts.reduce((a, b) => a + b, 0);
  const low = Math.min(u, n1 * n2 - u);
  let tail = 0;
  for (let k = 0; k <= low; k++) tail += counts[k]!;
  return Math.min(1, (2 * tail) / total);
}
