import { Aggregator } from '../metrics/aggregate.js';
import { encodeForWire, newHistogram } from '../metrics/histogram.js';
import { workerMessageSchema } from './messages.js';

let rehearsed = false;

/**
 * Takes a made-up window of two sources through the coordinator's path once a process, before
 * its first run: each snapshot checked as a worker's message, merged, and the window's figures
 * read; then a worker's last message checked. That code compiles on first use (each message
 * schema too, 28 ms for the last one) and the merge builds its lookup tables, so in a fresh
 * process the first window's figures came 100–240 ms after its end, where the next ones took
 * 10–30 ms, and the last window's waited for the first worker's last message. The samples span
 * 1 µs–100 ms, so the loops over buckets run long enough to be optimized. It takes about 60 ms.
 */
export function rehearseWindow(): void {
  if (rehearsed) return;
  rehearsed = true;
  const h = newHistogram();
  for (let ns = 1_000; ns < 1e8; ns *= 1.01) h.recordValue(Math.round(ns));
  const encoded = encodeForWire(h);
  h.destroy();
  const aggregator = new Aggregator();
  for (const source of ['rehearsal/0', 'rehearsal/1']) {
    const message = workerMessageSchema.parse({
      type: 'snapshot',
      snapshot: {
        runId: 'rehearsal',
        source,
        provider: 'rehearsal',
        phase: 'rehearsal',
        window: 0,
        activeVUs: 1,
        ranMs: 1,
        operations: [{ operation: 'rehearsal', histogram: encoded, corrected: encoded, ok: 1, errors: {} }],
        arrivals: { intended: 1, started: 1, dropped: 0, lag: encoded },
        health: { loopDelayP99Us: 0, cpu: 0 },
      },
    });
    if (message.type === 'snapshot') aggregator.add(message.snapshot);
  }
  aggregator.windowFigures(0);
  workerMessageSchema.parse({
    type: 'done',
    result: { source: 'rehearsal/0', ok: 1, errors: 0, windows: 1, endedMs: 1, stopped: false },
  });
}
