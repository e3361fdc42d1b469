import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { encodeHistogram, initHistograms, newHistogram, summarize } from '../src/metrics/histogram.js';
import type { Snapshot } from '../src/metrics/snapshot.js';

test('merging K histograms gives exactly the percentiles of one histogram over the same samples', async () => {
  await initHistograms();
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const single = newHistogram();
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
      }
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
  const expected = summarize(single);
  assert.deepEqual(merged.latencyUs, expected);
  assert.equal(merged.ok, single.totalCount);

  // The mean of per-source p99s is not the merged p99: the reason to merge histograms.
  const window0 = agg.windowFigures(0)!;
  assert.equal(window0.sources, K);
  agg.destroy();
  single.destroy();
});
