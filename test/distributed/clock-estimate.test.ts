import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClockEstimate } from '../../src/distributed/clock.js';

test('clock estimate: the offset of the fastest exchange wins; queueing on one leg bends only slow samples', () => {
  const clock = new ClockEstimate();
  assert.equal(clock.offsetMs, undefined);
  // The agent's clock is 2000 ms ahead; one way takes 10 ms, plus queueing on the way out.
  const exchange = (t1: number, outQueueMs: number, backQueueMs: number): void => {
    const t2 = t1 + 10 + outQueueMs + 2000;
    const t3 = t2 + 1;
    clock.add(t1, t2, t3, t3 - 2000 + 10 + backQueueMs);
  };
  exchange(0, 300, 0);
  exchange(1000, 0, 120);
  exchange(2000, 0, 0);
  exchange(3000, 50, 0);
  assert.equal(clock.offsetMs, 2000);
  assert.equal(clock.rttMs, 20);
  assert.equal(clock.recentMaxRttMs, 320);
});
