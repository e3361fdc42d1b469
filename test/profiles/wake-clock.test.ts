import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { wakeClock } from '../../src/profiles/wake-clock.js';

test('the clock thread wakes every caller on the thread, none before its time (none is left waiting)', async () => {
  const clock = wakeClock();
  while (!clock.ready) await yieldToEventLoop();
  // A later ask shares the earlier one's wake and asks again, as the arrival loop does.
  const sleep = async (at: number): Promise<number> => {
    while (performance.now() < at) await clock.wakeAt(at);
    return performance.now() - at;
  };
  const now = performance.now();
  const late = await Promise.all([sleep(now + 1.5), sleep(now + 0.5), sleep(now + 1)]);
  assert.ok(late.every((ms) => ms >= 0));
});

test('the lead a caller asks ahead by stays within 50–250 µs, however late wakes come', async () => {
  const clock = wakeClock();
  while (!clock.ready) await yieldToEventLoop();
  for (let i = 0; i < 100; i++) {
    const at = performance.now() + 0.5;
    while (performance.now() < at) await clock.wakeAt(at);
  }
  assert.ok(clock.lead >= 0.05 && clock.lead <= 0.25, `lead ${clock.lead} ms`);
});
