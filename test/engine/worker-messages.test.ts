import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageSchemas, PROTOCOL_VERSION } from '../../src/distributed/protocol.js';
import { workerEvent } from '../../src/engine/channel.js';
import type { WorkerMessage } from '../../src/engine/messages.js';
import { initHistograms } from '../../src/metrics/histogram.js';
import { Recorder } from '../../src/metrics/recorder.js';

/** A snapshot message as a worker sends it, from a real recorder (open model: arrivals and corrected histograms). */
async function snapshotMessage(): Promise<WorkerMessage> {
  await initHistograms();
  const recorder = new Recorder(['read', 'write'], true);
  try {
    recorder.okScheduled(0, 120, 180);
    recorder.part(0, 'connect', 40_000n);
    recorder.error(1, Object.assign(new Error('duplicate key'), { code: '23505' }));
    return {
      type: 'snapshot',
      snapshot: {
        runId: 'r1',
        source: 'local/w0',
        provider: 'pg',
        phase: 'main',
        window: 0,
        activeVUs: 2,
        ranMs: 1000,
        lateStartMs: 3,
        operations: recorder.flush(),
        arrivals: recorder.flushArrivals()!,
        health: { loopDelayP99Us: 900, cpu: 0.4 },
      },
    };
  } finally {
    recorder.destroy();
  }
}

test('a worker message passes the one schema both transports use: the MessagePort check and the NATS envelope', async () => {
  const message = await snapshotMessage();
  assert.deepEqual(workerEvent(message), message);
  const up = { v: PROTOCOL_VERSION, type: 'worker', planId: 'p1', source: 'local/w0', message };
  assert.equal(messageSchemas.up.safeParse(up).success, true);
  for (const m of [{ type: 'ready' }, { type: 'failed', message: 'boom' }] as const) assert.deepEqual(workerEvent(m), m);
});

test('a malformed worker message fails its source with one line naming the field, and NATS refuses it too', async () => {
  const good = await snapshotMessage();
  if (good.type !== 'snapshot') throw new Error('a snapshot message');
  const cases: Array<[unknown, string]> = [
    [{ ...good, snapshot: { ...good.snapshot, ranMs: undefined } }, 'snapshot.ranMs: is required'],
    [{ ...good, snapshot: { ...good.snapshot, window: -1 } }, 'snapshot.window: Too small: expected number to be >=0'],
    [{ ...good, snapshot: { ...good.snapshot, extra: 1 } }, 'snapshot.extra: unknown field'],
    [{ type: 'done', result: { source: 'local/w0', ok: 1, errors: 0, windows: 1, endedMs: 10 } }, 'result.stopped: is required'],
    [{ type: 'finished' }, 'type: must be one of ready, snapshot, done, failed'],
  ];
  for (const [message, field] of cases) {
    assert.deepEqual(workerEvent(message), { type: 'failed', message: `malformed message from the worker: ${field}` });
    const up = { v: PROTOCOL_VERSION, type: 'worker', planId: 'p1', source: 'local/w0', message };
    assert.equal(messageSchemas.up.safeParse(up).success, false, field);
  }
});
