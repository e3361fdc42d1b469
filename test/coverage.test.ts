import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { windowShortfalls, type ShareRecord } from '../src/metrics/coverage.js';
import { encodeHistogram, initHistograms, newHistogram } from '../src/metrics/histogram.js';

const WINDOW_MS = 1000;

/** One source's snapshot for a window, saying how much of the window its load ran. */
function add(agg: Aggregator, source: string, window: number, ranMs: number): void {
  const h = newHistogram();
  h.recordValue(100);
  agg.add({
    runId: 'r',
    source,
    provider: 'p',
    phase: 'main',
    window,
    activeVUs: 1,
    ranMs,
    operations: [{ operation: 'op', histogram: encodeHistogram(h), ok: 1, errors: {} }],
  });
  h.destroy();
}

test('a window short of a local share is the generator’s pace; short of or missing a remote share, it is degraded', async () => {
  await initHistograms();
  const agg = new Aggregator();
  try {
    const shares: ShareRecord[] = [
      { source: 'local/w0', remote: false, firstWindow: 0, owedUntilMs: 3000 },
      { source: 'east/w0', remote: true, firstWindow: 0, owedUntilMs: 3000 },
    ];
    // Window 0: this machine's thread started 400 ms late; the agent ran all of it.
    add(agg, 'local/w0', 0, 600);
    add(agg, 'east/w0', 0, 1000);
    // Window 1: the agent ran 300 ms of it; the local thread all of it.
    add(agg, 'local/w1', 1, 1000);
    add(agg, 'local/w0', 1, 1000);
    add(agg, 'east/w0', 1, 300);
    // Window 2: nothing from the agent arrived.
    add(agg, 'local/w0', 2, 1000);
    const flagged = windowShortfalls(agg, shares, WINDOW_MS);
    assert.deepEqual(flagged.get(0), { missing: [], short: ['local/w0'], localOnly: true });
    assert.deepEqual(flagged.get(1), { missing: [], short: ['east/w0'], localOnly: false });
    assert.deepEqual(flagged.get(2), { missing: ['east/w0'], short: [], localOnly: false });
    assert.equal(flagged.size, 3);
  } finally {
    agg.destroy();
  }
});

test('a missing local snapshot is never taken for the generator’s pace', async () => {
  await initHistograms();
  const agg = new Aggregator();
  try {
    add(agg, 'local/w1', 0, 1000);
    const flagged = windowShortfalls(agg, [{ source: 'local/w0', remote: false, firstWindow: 0, owedUntilMs: 1000 }], WINDOW_MS);
    assert.deepEqual(flagged.get(0), { missing: ['local/w0'], short: [], localOnly: false });
  } finally {
    agg.destroy();
  }
});
