import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapRatio, quantile } from '../../src/stats/bootstrap.js';
import { mannWhitneyP, normalCdf } from '../../src/stats/rank-test.js';
import { seededRandom } from '../../src/stats/random.js';
import { usableReplicates, weightedMean } from '../../src/stats/replicates.js';
import { compareReplicates } from '../../src/stats/verdict.js';
import { comparePairs, signedRankP } from '../../src/stats/paired.js';

const close = (actual: number, expected: number, tolerance: number): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('normalCdf and the rank test agree with published values', () => {
  close(normalCdf(1.959964), 0.975, 1e-6);
  close(normalCdf(-1), 0.158655, 1e-6);
  // Exact: complete separation of 5 and 5 is 2 of C(10,5) = 252 arrangements (scipy method='exact').
  close(mannWhitneyP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 2 / 252, 1e-12);
  // scipy.stats.mannwhitneyu([1, 2, 3, 4, 6], [5, 7, 8, 9, 10], method='exact') → p = 0.01587
  close(mannWhitneyP([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]), 4 / 252, 1e-12);
  // With ties, the normal approximation: U = 0.5, σ² = 25/12 × (11 − 18/90) = 22.5,
  // z = (12.5 − 0.5 − 0.5) / √22.5 = 2.4244, p = 2 × (1 − Φ(z)) = 0.01533.
  close(mannWhitneyP([1, 2, 2, 3, 4], [4, 5, 6, 6, 7]), 0.01533, 1e-4);
  assert.equal(mannWhitneyP([3, 3, 3], [3, 3, 3]), 1);
  assert.equal(mannWhitneyP([], [1]), 1);
});

test('weighted mean, quantile and the cut-off tail', () => {
  assert.equal(
    weightedMean([
      { weight: 1, value: 1 },
      { weight: 3, value: 5 },
    ]),
    4,
  );
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([1, 2], 0.25), 1.25);
  const reps = [100, 110, 90, 100, 10].map((weight) => ({ weight, value: 1 }));
  assert.deepEqual(
    usableReplicates(reps).map((r) => r.weight),
    [100, 110, 90, 100],
  );
});

test('bootstrap interval of a ratio: constant data gives a point, noisy data an interval around the truth', () => {
  const flat = bootstrapRatio(
    [
      { weight: 1, value: 2 },
      { weight: 1, value: 2 },
    ],
    [
      { weight: 1, value: 6 },
      { weight: 1, value: 6 },
    ],
  );
  assert.deepEqual([flat.ratio, flat.low, flat.high], [3, 3, 3]);
  const random = seededRandom(7);
  const a = Array.from({ length: 20 }, () => ({ weight: 100, value: 1 + random() * 0.2 }));
  const b = a.map((r) => ({ weight: 100, value: r.value * 2 }));
  const i = bootstrapRatio(a, b);
  close(i.ratio, 2, 1e-9);
  assert.ok(i.low < 2 && i.high > 2 && i.low > 1.8 && i.high < 2.2, JSON.stringify(i));
  assert.deepEqual(bootstrapRatio(a, b), i, 'seeded: the same data gives the same interval');
});

test('verdicts: same distribution → no difference; 1.5× → significant with an interval excluding 1; too few → none', () => {
  const random = seededRandom(3);
  const sample = (scale: number): Array<{ weight: number; value: number }> =>
    Array.from({ length: 12 }, () => ({ weight: 50, value: scale * (1 + random() * 0.3) }));
  const same = compareReplicates(sample(1), sample(1));
  assert.equal(same.significant, false, JSON.stringify(same));
  const slower = compareReplicates(sample(1), sample(1.5));
  assert.equal(slower.significant, true, JSON.stringify(slower));
  assert.ok(slower.low > 1 && slower.p < 0.05);
  const few = compareReplicates(sample(1).slice(0, 2), sample(5).slice(0, 2));
  assert.equal(few.significant, false);
  assert.ok(few.ratio > 3);
  // A real but tiny difference (2 %) is within the noise band: not called.
  const tiny = compareReplicates(
    Array.from({ length: 30 }, (_, i) => ({ weight: 1, value: 100 + (i % 3) * 0.01 })),
    Array.from({ length: 30 }, (_, i) => ({ weight: 1, value: 102 + (i % 3) * 0.01 })),
  );
  assert.equal(tiny.significant, false);
  assert.ok(tiny.p < 0.001);
});

test('signed-rank test is exact for small samples', () => {
  assert.equal(signedRankP([1, 2, 3, 4, 5, 6, 7, 8]), 2 / 256);
  assert.equal(signedRankP([1, -1, 2, -2]), 1);
  assert.equal(signedRankP([0, 0]), 1);
  const many = Array.from({ length: 30 }, (_, i) => (i % 2 ? 1 : -1) * (i + 1));
  assert.ok(signedRankP(many) > 0.5, 'balanced signs over many pairs: no evidence');
});

test('paired blocks cancel drift: a 30 % slowdown under 2× drift is called, identical twins under drift are not', () => {
  const random = seededRandom(11);
  const drift = Array.from({ length: 10 }, (_, k) => 1 + k / 9);
  const pairs = (factor: number): Array<{ baseline: { weight: number; value: number }; candidate: { weight: number; value: number } }> =>
    drift.map((d) => ({
      baseline: { weight: 20, value: d * (1 + random() * 0.05) },
      candidate: { weight: 20, value: factor * d * (1 + random() * 0.05) },
    }));
  const slower = comparePairs(pairs(1.3));
  assert.equal(slower.significant, true, JSON.stringify(slower));
  assert.ok(slower.low > 1.2 && slower.high < 1.4);
  const twins = comparePairs(pairs(1));
  assert.equal(twins.significant, false, JSON.stringify(twins));
  // The same slowdown seen as independent replicates drowns in the drift.
  const unpaired = compareReplicates(
    pairs(1.3).map((p) => p.baseline),
    pairs(1.3).map((p) => p.candidate),
  );
  assert.equal(unpaired.significant, false, JSON.stringify(unpaired));
});

test('latencies recorded at 0 µs on both sides (below the resolution) are a ratio of 1, never 0/0, in both designs', () => {
  const zeros = Array.from({ length: 5 }, () => ({ value: 0, weight: 100 }));
  const independent = compareReplicates(zeros, zeros);
  assert.deepEqual([independent.ratio, independent.low, independent.high, independent.significant], [1, 1, 1, false]);
  const paired = comparePairs(zeros.map((z) => ({ baseline: z, candidate: z })));
  assert.deepEqual([paired.ratio, paired.low, paired.high, paired.significant], [1, 1, 1, false]);
  // Serialized, the report keeps a number where 0/0 would have written null.
  assert.deepEqual(JSON.parse(JSON.stringify({ r: independent.ratio })), { r: 1 });
});
