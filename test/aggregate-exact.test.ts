import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { Aggregator } from '../src/metrics/aggregate.js';
import { CountSum } from '../src/metrics/counts.js';
import {
  decodeHistogram,
  encodeForWire,
  encodeHistogram,
  type Histogram,
  initHistograms,
  meanUs,
  newHistogram,
  percentileUs,
  recordedFromMs,
} from '../src/metrics/histogram.js';
import { Recorder } from '../src/metrics/recorder.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { shipped } from './helpers/histograms.js';

const SOURCES = 5;
/** More windows than the aggregator keeps dense, so old windows are read back from their compact form. */
const WINDOWS = 12;
const OPS = ['read', 'write'];

/** One histogram per key, fed every sample the snapshots carry: what each merged figure must equal. */
class Direct {
  private readonly all = new Map<string, Histogram>();
  record(key: string, v: number): void {
    let h = this.all.get(key);
    if (!h) this.all.set(key, (h = newHistogram()));
    h.recordValue(v);
  }
  get(key: string): Histogram {
    return this.all.get(key)!;
  }
  destroy(): void {
    for (const h of this.all.values()) h.destroy();
  }
}

test('merged figures of every window, operation, source and the run equal those of one histogram over the same samples', async () => {
  await initHistograms();
  let seed = 5;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const direct = new Direct();
  const snapshots: Snapshot[] = [];
  for (let window = 0; window < WINDOWS; window++) {
    for (let s = 0; s < SOURCES; s++) {
      const source = `agent${s}/w0`;
      // Workers send the uncompressed encoding; a snapshot in the standard one is read alike.
      const encode = s % 2 === 0 ? encodeForWire : encodeHistogram;
      const lag = newHistogram();
      const operations = OPS.map((operation, o) => {
        const [h, c, part] = [newHistogram(), newHistogram(), newHistogram()];
        // Latencies over four decades, a slow tail, a 0 now and then: every kind of bucket.
        for (let i = 0; i < 200 + 37 * s + 11 * window; i++) {
          const v = random() < 0.01 ? 0 : Math.floor((o + 1) * 100 * Math.exp(2 * random()) * (random() < 0.02 ? 400 : 1));
          const late = Math.floor(30 * -Math.log(1 - random()));
          for (const [hist, kind, x] of [
            [h, 'latency', v],
            [c, 'corrected', v + late],
            [part, 'part', Math.floor(v / 2)],
            [lag, 'lag', late],
          ] as const) {
            hist.recordValue(x);
            for (const key of [kind, `${kind} ${operation}`, `${kind} w${window}`, `${kind} ${operation} w${window}`])
              direct.record(key, x);
            if (kind === 'latency') direct.record(`latency ${source}`, x);
          }
        }
        const out = {
          operation,
          histogram: encode(h),
          ok: h.totalCount,
          errors: {},
          corrected: encode(c),
          parts: { query: encode(part) },
        };
        for (const x of [h, c, part]) x.destroy();
        return out;
      });
      const arrivals = { intended: 10, started: 10, dropped: 0, lag: encode(lag) };
      lag.destroy();
      snapshots.push({ runId: 'r', source, provider: 'p', phase: 'main', window, activeVUs: 4, ranMs: 1000, operations, arrivals });
    }
  }
  // Window 1's last snapshot arrives after every other: late, into a window long past.
  const late = snapshots.splice(SOURCES + SOURCES - 1, 1)[0]!;
  const agg = new Aggregator();
  for (const s of snapshots) agg.add(s);
  const early = agg.windowFigures(1)!;
  agg.add(late);
  assert.equal(agg.windowFigures(1)!.ok, early.ok + late.operations.reduce((n, o) => n + o.ok, 0));

  const figures = agg.figures();
  assert.deepEqual(figures.total.latencyUs, shipped(direct.get('latency')));
  assert.deepEqual(figures.total.correctedUs, shipped(direct.get('corrected')));
  assert.deepEqual(figures.arrivals?.lagUs, shipped(direct.get('lag')));
  for (const op of figures.operations) {
    assert.deepEqual(op.latencyUs, shipped(direct.get(`latency ${op.operation}`)), op.operation);
    assert.deepEqual(op.correctedUs, shipped(direct.get(`corrected ${op.operation}`)), op.operation);
    assert.deepEqual(op.partsUs?.query, shipped(direct.get(`part ${op.operation}`)), op.operation);
    assert.equal(
      op.histograms.latency,
      encodeHistogram(direct.get(`latency ${op.operation}`)),
      `${op.operation}: the encoded merged histogram`,
    );
  }
  assert.equal(figures.windows.length, WINDOWS);
  for (const w of figures.windows) {
    assert.equal(w.sources, SOURCES);
    assert.deepEqual(w.latencyUs, shipped(direct.get(`latency w${w.window}`)), `window ${w.window}`);
    assert.deepEqual(w.correctedUs, shipped(direct.get(`corrected w${w.window}`)), `window ${w.window}`);
    assert.deepEqual(w.arrivals?.lagUs, shipped(direct.get(`lag w${w.window}`)), `window ${w.window}`);
    for (const op of w.operations) {
      const one = shippedHistogram(direct.get(`latency ${op.operation} w${w.window}`));
      assert.deepEqual(op.latencyUs, {
        mean: Math.round(meanUs(one) * 1000) / 1000,
        p95: percentileUs(one, 95),
        p99: percentileUs(one, 99),
      });
      one.destroy();
    }
  }
  for (let s = 0; s < SOURCES; s++) assert.deepEqual(agg.sourcesLatency([`agent${s}/w0`]), shipped(direct.get(`latency agent${s}/w0`)));
  const pair = newHistogram();
  pair.add(direct.get('latency agent0/w0'));
  pair.add(direct.get('latency agent3/w0'));
  assert.deepEqual(agg.sourcesLatency(['agent0/w0', 'agent3/w0']), shipped(pair));
  pair.destroy();
  agg.destroy();
  direct.destroy();
});

const PERCENTILES = [0, 0.1, 1, 25, 50, 90, 95, 99, 99.9, 99.99, 100];

/** Every figure a summary is read from, exactly as a histogram gives it. */
function readings(h: Pick<Histogram, 'totalCount' | 'minNonZeroValue' | 'maxValue' | 'mean' | 'stdDeviation' | 'getValueAtPercentile'>) {
  return {
    count: h.totalCount,
    min: h.minNonZeroValue,
    max: h.maxValue,
    mean: h.mean,
    stddev: h.stdDeviation,
    percentiles: PERCENTILES.map((p) => h.getValueAtPercentile(p)),
  };
}

test('summed counts read exactly as one histogram over the same samples: percentiles, mean, standard deviation, min, max', async () => {
  await initHistograms();
  let seed = 9;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cases: Array<{ name: string; parts: number; value: () => number }> = [
    // A database round trip: hundreds of µs in ns, a lock wait now and then.
    {
      name: 'pg-like',
      parts: 20,
      value: () => Math.floor(300_000 * Math.exp(0.6 * -Math.log(1 - random())) * (random() < 0.005 ? 20 : 1)),
    },
    // In-process SQLite: hundreds of ns, in bucket 0 where every integer is its own bucket.
    { name: 'sqlite-like', parts: 20, value: () => Math.floor(400 + 1500 * random() ** 3) },
    { name: 'zeros and the top of the range', parts: 3, value: () => (random() < 0.3 ? 0 : random() < 0.5 ? 3_600_000_000_000 : 1) },
    { name: 'one sample', parts: 1, value: () => 123_456_789 },
  ];
  for (const { name, parts, value } of cases) {
    const whole = newHistogram();
    const sum = new CountSum();
    // Added in the same pass as `sum`: one from every part, one from all but the first.
    const [twin, later, laterAlone] = [new CountSum(), new CountSum(), new CountSum()];
    for (let p = 0; p < parts; p++) {
      const h = newHistogram();
      for (let i = 0; i < 500; i++) {
        const v = value();
        h.recordValue(v);
        whole.recordValue(v);
      }
      const encoded = p % 2 ? encodeForWire(h) : encodeHistogram(h);
      sum.addEncoded(encoded, twin, p > 0 ? later : undefined);
      if (p > 0) laterAlone.addEncoded(encoded);
      h.destroy();
    }
    const shippedWhole = shippedHistogram(whole);
    assert.deepEqual(readings(sum), readings(shippedWhole), name);
    assert.deepEqual(readings(twin), readings(shippedWhole), `${name}: added in the same pass`);
    assert.deepEqual(readings(later), readings(laterAlone), `${name}: added in the same pass from the second part`);
    if (parts > 1) assert.equal(later.totalCount, (parts - 1) * 500);
    sum.compact();
    assert.deepEqual(readings(sum), readings(shippedWhole), `${name}, compacted`);
    assert.equal(sum.encode(), encodeHistogram(whole), `${name}: the standard encoding`);
    for (const h of [whole, shippedWhole]) h.destroy();
  }
  const empty = newHistogram();
  assert.deepEqual(readings(new CountSum()), { ...readings(empty), min: Number.MAX_SAFE_INTEGER });
  empty.destroy();
});

test('a mean past 2^53 is summed as the library sums it, in integers', async () => {
  await initHistograms();
  const whole = newHistogram();
  const sum = new CountSum();
  // Summed as floats in bucket order, these round to 144673952813247740; as integers, to …700.
  for (const [v, n] of [
    [8_099, 7_299],
    [27_670, 144_395],
    [139_245_772_738, 136_493],
    [245_648_154_726, 511_496],
  ] as const) {
    const h = newHistogram();
    h.recordValueWithCount(v, n);
    whole.recordValueWithCount(v, n);
    sum.addEncoded(encodeForWire(h));
    h.destroy();
  }
  assert.equal(sum.mean, whole.mean);
  assert.equal(sum.stdDeviation, whole.stdDeviation);
  whole.destroy();
});

/** A histogram as it reads after crossing the wire (see `shipped`). */
function shippedHistogram(h: Histogram): Histogram {
  return decodeHistogram(encodeHistogram(h));
}

test('a histogram of other bounds is merged exactly: its counts are moved into the aggregator structure', async () => {
  await initHistograms();
  const other = hdr.build({
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const ours = newHistogram();
  for (let v = 1; v < 5_000_000; v = Math.ceil(v * 1.07)) {
    other.recordValue(v);
    ours.recordValue(v);
  }
  const agg = new Aggregator();
  agg.add({
    runId: 'r',
    source: 's',
    provider: 'p',
    phase: 'main',
    window: 0,
    activeVUs: 1,
    ranMs: 1000,
    operations: [{ operation: 'op', histogram: encodeHistogram(other), ok: other.totalCount, errors: {} }],
  });
  const moved = newHistogram();
  moved.add(other);
  assert.deepEqual(agg.merged('op').latencyUs, shipped(moved));
  assert.equal(agg.merged('op').latencyUs.count, ours.totalCount);
  agg.destroy();
  for (const h of [other, ours, moved]) h.destroy();
});

test('a window too large for one NATS message in the plain encoding goes out compressed, and merges alike', async () => {
  await initHistograms();
  let seed = 13;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cookie = (encoded: string): number => Buffer.from(encoded, 'base64').readInt32BE(0);
  const windowOf = (operations: number, samples: number) => {
    const names = Array.from({ length: operations }, (_, i) => `op${i}`);
    const recorder = new Recorder(names);
    const whole = newHistogram();
    for (let o = 0; o < operations; o++) {
      for (let i = 0; i < samples; i++) {
        // 1 µs to 1 s, evenly over the decades: every bucket of that range gets counts.
        const ms = 0.001 * 10 ** (6 * random());
        recorder.ok(o, ms);
        whole.recordValue(recordedFromMs(ms));
      }
    }
    const window = recorder.flush();
    recorder.destroy();
    return { window, whole };
  };
  const small = windowOf(3, 1000);
  assert.ok(
    small.window.every((op) => cookie(op.histogram) === 0x1c849313),
    'a usual window: the plain encoding',
  );
  const large = windowOf(40, 20_000);
  assert.ok(
    large.window.every((op) => cookie(op.histogram) === 0x1c849314),
    'a large window: compressed',
  );
  assert.ok(JSON.stringify(large.window).length < 512 * 1024);
  for (const { window, whole } of [small, large]) {
    const agg = new Aggregator();
    agg.add({ runId: 'r', source: 's', provider: 'p', phase: 'main', window: 0, activeVUs: 1, ranMs: 1000, operations: window });
    assert.deepEqual(agg.merged().latencyUs, shipped(whole));
    agg.destroy();
    whole.destroy();
  }
});
