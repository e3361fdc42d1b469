import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { encodeHistogram, initHistograms, newHistogram } from '../src/metrics/histogram.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { shipped } from './helpers/histograms.js';

test('late snapshots, even for windows long folded into the totals, merge exactly', async () => {
  await initHistograms();
  let seed = 3;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const WINDOWS = 30;
  const single = newHistogram();
  const perWindow = Array.from({ length: WINDOWS }, () => newHistogram());
  const snapshots: Snapshot[] = [];
  for (let window = 0; window < WINDOWS; window++) {
    for (const source of ['a', 'b', 'c']) {
      const h = newHistogram();
      const n = 200 + Math.floor(random() * 300);
      for (let i = 0; i < n; i++) {
        const v = Math.floor(100 * -Math.log(1 - random()) * (source === 'c' ? 20 : 1)) + 1;
        h.recordValue(v);
        single.recordValue(v);
        perWindow[window]!.recordValue(v);
      }
      snapshots.push({
        runId: 'r',
        source,
        provider: 'p',
        phase: window < 10 ? 'warmup' : 'main',
        window,
        activeVUs: 1,
        ranMs: 1000,
        operations: [{ operation: 'op', histogram: encodeHistogram(h), ok: n, errors: {} }],
      });
      h.destroy();
    }
  }
  // Source c lags 20 windows behind the others: its snapshots land in windows already folded.
  const late = snapshots.filter((s) => s.source === 'c');
  const onTime = snapshots.filter((s) => s.source !== 'c');
  const agg = new Aggregator();
  for (let i = 0; i < onTime.length; i++) {
    agg.add(onTime[i]!);
    if (i >= 40) agg.add(late.shift()!);
    // Reading figures and totals mid-run must not stop later snapshots from counting.
    if (i % 17 === 0) {
      agg.windowFigures(onTime[i]!.window);
      agg.merged();
    }
  }
  for (const s of late) agg.add(s);

  assert.deepEqual(agg.merged('op').latencyUs, shipped(single));
  assert.equal(agg.merged().ok, single.totalCount);
  assert.equal(agg.merged('op', 'warmup').ok + agg.merged('op', 'main').ok, single.totalCount);
  for (let w = 0; w < WINDOWS; w++) {
    const figures = agg.windowFigures(w)!;
    assert.equal(figures.sources, 3);
    assert.deepEqual(figures.latencyUs, shipped(perWindow[w]!), `window ${w}`);
  }
  agg.destroy();
  single.destroy();
  for (const h of perWindow) h.destroy();
});
