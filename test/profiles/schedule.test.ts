import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalShares } from '../../src/profiles/arrivals.js';
import { ArrivalSchedule, ShareArrivals } from '../../src/profiles/arrival-schedule.js';
import { parseStagesFlag } from '../../src/profiles/stages.js';
import { vusAt } from '../../src/profiles/vu-plan.js';

test('unequal weights take disjoint arrivals that cover the global schedule exactly', () => {
  const weights = [3, 1, 2];
  const total = 6007;
  const seen = new Set<number>();
  const counts = weights.map((_, k) => {
    const mine = new ShareArrivals(weights, k);
    let n = 0;
    for (let m = 0, i = mine.globalIndex(0); i < total; i = mine.globalIndex(++m)) {
      assert.ok(!seen.has(i), `arrival ${i} given twice`);
      seen.add(i);
      n++;
    }
    return n;
  });
  assert.equal(seen.size, total, 'every arrival is taken by some share');
  // Within one arrival of the weights, at any length.
  counts.forEach((n, k) => assert.ok(Math.abs(n - (total * weights[k]!) / 6) <= 1, `share ${k}: ${n}`));
});

test('the schedule holds exactly rate × duration arrivals, in order, inside the duration', () => {
  const constant = new ArrivalSchedule([{ durationMs: 10_000, from: 2, to: 2 }]);
  assert.equal(constant.total, 20_000);
  assert.equal(constant.timeOf(0), 0);
  assert.equal(constant.timeOf(1), 0.5);

  // 0 → 100/s over 10 s, then 100/s for 5 s: 500 + 500 arrivals.
  const ramp = new ArrivalSchedule([
    { durationMs: 10_000, from: 0, to: 0.1 },
    { durationMs: 5_000, from: 0.1, to: 0.1 },
  ]);
  assert.equal(ramp.total, 1000);
  let last = -1;
  for (let i = 0; i < ramp.total; i++) {
    const t = ramp.timeOf(i);
    assert.ok(t >= last && t < 15_000, `arrival ${i} at ${t}`);
    last = t;
  }
  assert.ok(Math.abs(ramp.timeOf(500) - 10_000) < 1e-6, 'the 500th arrival is due where the ramp ends');
});

test('VUs of every share are split exactly by the same weights', () => {
  const shares = arrivalShares([{ durationMs: 1000, from: 1, to: 1 }], { preAllocatedVUs: 5, maxVUs: 9, dropAfterMs: 0 }, [2, 1]);
  assert.deepEqual(
    shares.map((s) => s.preAllocatedVUs),
    [3, 2],
  );
  assert.deepEqual(
    shares.map((s) => s.maxVUs),
    [6, 3],
  );
});

test('stages from the command line, and the VU plan between them', () => {
  assert.deepEqual(parseStagesFlag('30s:10,1m:50,30s:0'), [
    { durationMs: 30_000, target: 10 },
    { durationMs: 60_000, target: 50 },
    { durationMs: 30_000, target: 0 },
  ]);
  assert.throws(() => parseStagesFlag('30s:10,oops'), /--stages: "oops" is not duration:target/);
  const points = [
    { atMs: 0, vus: 0 },
    { atMs: 1000, vus: 10 },
    { atMs: 1000, vus: 20 },
  ];
  assert.equal(vusAt(points, 500), 5);
  assert.equal(vusAt(points, 1000), 20, 'a step takes effect at its time');
});
