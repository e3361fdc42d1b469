import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregator } from '../src/metrics/aggregate.js';
import { decodeHistogram, encodeHistogram, initHistograms, newHistogram, summarize } from '../src/metrics/histogram.js';
import { Recorder } from '../src/metrics/recorder.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { shipped } from './helpers/histograms.js';

const ERROR = { SQLSTATE_57014: { count: 1, sample: 'canceling statement' } };

/** Two sources × four windows, two phases; `a` has timed parts, `b` fails now and then; open model. */
function snapshots(): { list: Snapshot[]; all: ReturnType<typeof newHistogram>; a: ReturnType<typeof newHistogram> } {
  const all = newHistogram();
  const a = newHistogram();
  const list: Snapshot[] = [];
  let v = 1;
  for (let window = 0; window < 4; window++) {
    for (const source of ['s0', 's1']) {
      const ha = newHistogram();
      const hb = newHistogram();
      const part = newHistogram();
      for (let i = 0; i < 50 + window * 10; i++) {
        for (const h of [ha, a, all, part]) h.recordValue(v);
        for (const h of [hb, all]) h.recordValue(v * 3);
        v = (v * 7) % 997;
      }
      list.push({
        runId: 'r',
        source,
        provider: 'p',
        phase: window === 0 ? 'warmup' : 'main',
        window,
        activeVUs: 2,
        ranMs: 1000,
        operations: [
          {
            operation: 'a',
            histogram: encodeHistogram(ha),
            ok: ha.totalCount,
            errors: {},
            corrected: encodeHistogram(ha),
            parts: { query: encodeHistogram(part) },
          },
          {
            operation: 'b',
            histogram: encodeHistogram(hb),
            ok: hb.totalCount,
            errors: window % 2 ? ERROR : {},
            corrected: encodeHistogram(hb),
          },
        ],
        arrivals: { intended: 100, started: 98, dropped: 2, lag: encodeHistogram(part) },
      });
      for (const h of [ha, hb, part]) h.destroy();
    }
  }
  return { list, all, a };
}

test('the aggregator hands over plain data: figures that outlive it and add up window by window, operation by operation', async () => {
  await initHistograms();
  const { list, all, a } = snapshots();
  const agg = new Aggregator();
  for (const s of list) agg.add(s);
  const figures = agg.figures();
  agg.destroy();

  // Nothing in it is live: it survives the aggregator and a JSON round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(figures)), figures);
  assert.deepEqual(figures.total.latencyUs, shipped(all));
  const opA = figures.operations.find((o) => o.operation === 'a')!;
  assert.deepEqual(opA.latencyUs, shipped(a));
  assert.deepEqual(Object.keys(opA.partsUs!), ['query']);
  const decoded = decodeHistogram(opA.histograms.latency);
  assert.deepEqual(summarize(decoded), opA.latencyUs, 'the encoded histogram is the merged one');
  decoded.destroy();
  assert.equal(opA.histograms.unit, 'ns');
  assert.ok(opA.histograms.corrected, 'open model: the corrected histogram travels too');

  assert.equal(
    figures.phases.reduce((n, p) => n + p.ok, 0),
    figures.total.ok,
  );
  assert.deepEqual(
    figures.phases.map((p) => [p.phase, p.arrivals?.intended]),
    [
      ['warmup', 200],
      ['main', 600],
    ],
  );
  for (const w of figures.windows) {
    assert.equal(
      w.operations.reduce((n, o) => n + o.ok, 0),
      w.ok,
      `window ${w.window}`,
    );
    assert.equal(
      w.operations.reduce((n, o) => n + o.failed, 0),
      w.failed,
      `window ${w.window}`,
    );
    assert.equal(w.failed, w.window % 2 ? 2 : 0);
  }
  assert.deepEqual(
    figures.sources.map((s) => [s.source, s.failed]),
    [
      ['s0', 2],
      ['s1', 2],
    ],
  );
  all.destroy();
  a.destroy();
});

test('a latency has one unit from recording to the report: nanosecond and millisecond timings both land as ns, read as µs', async () => {
  await initHistograms();
  const recorder = new Recorder(['op'], true);
  recorder.ok(0, 1.234567);
  recorder.ok(0, 0.00048);
  recorder.okScheduled(0, 2.0009, 1.9999);
  recorder.startLag(0.25);
  const [window] = recorder.flush();
  const arrivals = recorder.flushArrivals()!;
  recorder.destroy();
  const read = (encoded: string): ReturnType<typeof summarize> => {
    const h = decodeHistogram(encoded);
    try {
      return summarize(h);
    } finally {
      h.destroy();
    }
  };
  // Within HDR's 3 significant digits (a bucket is at most 1/1024 of its value wide); below 2048 ns, exact.
  const near = (us: number, expected: number, what: string): void =>
    assert.ok(Math.abs(us - expected) <= expected / 1024, `${what}: ${us} µs, expected ${expected} µs`);
  const service = read(window!.histogram);
  assert.deepEqual([service.count, service.min], [3, 0.48]);
  near(service.p50, 1234.567, 'the closed-model sample');
  near(service.max, 2000.9, 'the performance.now() service time');
  near(read(window!.corrected!).max, 1999.9, 'the corrected latency');
  near(read(arrivals.lag).max, 250, 'the schedule lag');
});
