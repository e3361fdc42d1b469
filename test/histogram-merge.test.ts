import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { encodeHistogram, initHistograms, newHistogram } from '../src/metrics/histogram.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { shipped } from './helpers/histograms.js';

test('merging K histograms gives exactly the percentiles of one histogram over the same samples', async () => {
  await initHistograms();
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const single = newHistogram();
  const singleWindow0 = newHistogram();
  const p99sWindow0: number[] = [];
  const agg = new Aggregator();
  const K = 7;
  for (let k = 0; k < K; k++) {
    for (let window = 0; window < 3; window++) {
      const h = newHistogram();
      // Each source has its own latency shape, so averaging percentiles would be visibly wrong.
      const n = 500 + k * 300;
      for (let i = 0; i < n; i++) {
        const v = Math.floor(50 * (k + 1) * -Math.log(1 - random())) + 1;
        h.recordValue(v);
        single.recordValue(v);
        if (window === 0) singleWindow0.recordValue(v);
      }
      if (window === 0) p99sWindow0.push(h.getValueAtPercentile(99));
      const snapshot: Snapshot = {
        runId: 'r',
        source: `w${k}`,
        provider: 'p',
        phase: 'main',
        window,
        activeVUs: 1,
        operations: [{ operation: 'op', histogram: encodeHistogram(h), ok: n, errors: {} }],
      };
      agg.add(snapshot);
      h.destroy();
    }
  }
  const merged = agg.merged('op');
  assert.deepEqual(merged.latencyUs, shipped(single));
  assert.equal(merged.ok, single.totalCount);

  // One window merges its K sources the same way: exactly one histogram over the window's samples…
  const window0 = agg.windowFigures(0)!;
  assert.equal(window0.sources, K);
  assert.equal(window0.ok, singleWindow0.totalCount);
  assert.deepEqual(window0.latencyUs, shipped(singleWindow0));
  // …whose p99 the mean of the per-source p99s misses by far: the reason to merge histograms.
  const meanOfP99s = p99sWindow0.reduce((a, b) => a + b, 0) / K;
  assert.ok(Math.abs(meanOfP99s - window0.latencyUs.p99) > 0.1 * window0.latencyUs.p99, `mean of p99s ${meanOfP99s}, merged p99 ${window0.latencyUs.p99}`);
  agg.destroy();
  single.destroy();
  singleWindow0.destroy();
});
