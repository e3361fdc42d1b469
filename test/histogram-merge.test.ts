import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { latencyMs } from '../src/api/results.js';
import { encodeHistogram, initHistograms, newHistogram, recordedFromNs, summarize } from '../src/metrics/histogram.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { shipped } from './helpers/histograms.js';

test('merging K histograms gives exactly the percentiles of one histogram over the same samples', async () => {
  await initHistograms();
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
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
        ranMs: 1000,
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
  assert.ok(
    Math.abs(meanOfP99s - window0.latencyUs.p99) > 0.1 * window0.latencyUs.p99,
    `mean of p99s ${meanOfP99s}, merged p99 ${window0.latencyUs.p99}`,
  );
  agg.destroy();
  single.destroy();
  singleWindow0.destroy();
});

test('a summary reads a known distribution in µs, fractions kept: every value from 1 to 1000 ns once', async () => {
  await initHistograms();
  const h = newHistogram();
  for (let v = 1; v <= 1000; v++) h.recordValue(recordedFromNs(BigInt(v)));
  const s = summarize(h);
  h.destroy();
  // Below 2048 ns HDR at 3 significant digits holds every integer exactly.
  assert.deepEqual(
    { ...s, stddev: undefined },
    { count: 1000, min: 0.001, mean: 0.501, max: 1, stddev: undefined, p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 },
  );
  // The population standard deviation of 1…n is √((n² − 1) / 12), here to the nanosecond.
  assert.equal(s.stddev, Math.round(Math.sqrt((1000 ** 2 - 1) / 12)) / 1000);
  // The library API reports the same figures in milliseconds.
  assert.deepEqual(latencyMs(s), {
    avgMs: 0.000501,
    minMs: 0.000001,
    maxMs: 0.001,
    p50Ms: 0.0005,
    p95Ms: 0.00095,
    p99Ms: 0.00099,
    stddevMs: 0.000289,
  });
});
