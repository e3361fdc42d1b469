import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designLimits } from '../../src/report/design-limits.js';
import { compareProviders } from '../../src/report/comparison.js';
import type { Report } from '../../src/report/types.js';
import { mannWhitneyP } from '../../src/stats/rank-test.js';
import { signedRankP } from '../../src/stats/paired.js';
import { replicatesNeeded, smallestRankP, smallestSignedRankP } from '../../src/stats/reachable.js';

test('the smallest p-value is what the test itself gives for the most extreme samples', () => {
  assert.equal(smallestRankP(4, 4).toFixed(3), '0.029', '4 windows a side: 2 / C(8, 4)');
  assert.equal(smallestRankP(4, 4), mannWhitneyP([1, 2, 3, 4], [10, 20, 30, 40]));
  assert.equal(smallestRankP(5, 5), mannWhitneyP([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]));
  assert.equal(smallestSignedRankP(6), signedRankP([1, 2, 3, 4, 5, 6]));
  assert.equal(replicatesNeeded('independent', 0.01), 5, '2 / C(10, 5) = 0.0079');
  assert.equal(replicatesNeeded('paired', 0.01), 8, '2 / 2^8 = 0.0078');
});

/** A run of two providers, 238× apart, each with `windows` windows of 1 s, compared as `stampede run` does. */
function shortRun(windows: number, interleave = false): Report {
  const replicates = (value: number) => Array.from({ length: windows }, (_, i) => ({ weight: 100, value: value + i }));
  const comparison = compareProviders({ test: 'select', kind: 'load', metric: 'p95' }, [
    { name: 'fast', value: 1, replicates: replicates(1), ...(interleave ? { runId: 'r', blocks: replicates(0).map((_, i) => i) } : {}) },
    {
      name: 'slow',
      value: 238,
      replicates: replicates(238),
      ...(interleave ? { runId: 'r', blocks: replicates(0).map((_, i) => i) } : {}),
    },
  ])!;
  return { plan: { windowMs: 1000 }, comparisons: [comparison] } as unknown as Report;
}

test('a 238× difference in 4 windows: no verdict is possible, and the run that could reach one is named', () => {
  const report = shortRun(4);
  const d = report.comparisons![0]!.differences[0]!;
  assert.equal(d.significant, false);
  assert.match(d.verdict, /4 windows cannot reach p < 0\.01: run more/);
  const [limit] = designLimits(report);
  assert.ok(limit);
  assert.equal(limit.smallestP.toFixed(3), '0.029');
  assert.equal(limit.needed, 5);
  assert.equal(limit.durationSec, 6, '5 whole windows of 1 s, and one more for the end that cuts the last short');
  assert.equal(limit.interleave, 8);
  assert.match(limit.text, /select: 4 windows a provider can give p ≥ 0\.029 at best, never p < 0\.01/);
  assert.match(limit.text, /--duration ≥ 6s .*--interleave 8/);
  const enough = shortRun(limit.needed);
  assert.equal(enough.comparisons![0]!.differences[0]!.significant, true, 'the suggested number of windows does reach a verdict');
  assert.deepEqual(designLimits(enough), []);
});

test('interleaved blocks: the suggestion is the --interleave count', () => {
  const report = shortRun(5, true);
  assert.equal(report.comparisons![0]!.differences[0]!.design, 'paired');
  const [limit] = designLimits(report);
  assert.ok(limit);
  assert.equal(limit.design, 'paired');
  assert.match(limit.text, /5 interleaved blocks .* Run --interleave 8/);
  assert.equal(shortRun(8, true).comparisons![0]!.differences[0]!.significant, true);
});
