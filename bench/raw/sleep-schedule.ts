import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * Each thread keeps its share of an even schedule and does nothing else: it sleeps until each due
 * time in a futex wait with a sub-millisecond timeout (as pgbench -R sleeps in ppoll), then notes
 * how late it woke. No generator that sleeps between arrivals can start them earlier than this
 * machine wakes a sleeping thread, so its lag p99 is the floor for the engine's.
 */
const SCHEDULE = `
const { parentPort, workerData: { ratePerSec, seconds, index, threads } } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const cell = new Int32Array(new SharedArrayBuffer(4));
const gapMs = (1000 * threads) / ratePerSec;
const total = Math.floor((ratePerSec * seconds) / threads);
const lags = new Float64Array(total);
const origin = performance.now() + 50 + (index * 1000) / ratePerSec;
for (let i = 0; i < total; i++) {
  const due = origin + i * gapMs;
  const wait = due - performance.now();
  if (wait > 0) Atomics.wait(cell, 0, 0, wait);
  lags[i] = performance.now() - due;
}
parentPort.postMessage(lags, [lags.buffer]);
`;

/** Schedule lag (ms, sorted) of `threads` bare sleep-until-due loops sharing `ratePerSec` for `seconds`. */
export async function sleepScheduleLags(ratePerSec: number, seconds: number, threads: number): Promise<number[]> {
  const workers = Array.from(
    { length: threads },
    (_, index) => new Worker(SCHEDULE, { eval: true, workerData: { ratePerSec, seconds, index, threads } }),
  );
  try {
    const parts = await Promise.all(workers.map((w) => once(w, 'message').then(([lags]) => lags as Float64Array)));
    return parts.flatMap((p) => [...p]).sort((a, b) => a - b);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
