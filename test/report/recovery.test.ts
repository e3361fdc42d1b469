import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spikeRecovery } from '../../src/report/recovery.js';
import type { PhaseReport, WindowReport } from '../../src/report/types.js';

function phase(name: string, startMs: number, endMs: number, p95: number, corrected?: number): PhaseReport {
  return {
    phase: name,
    startMs,
    endMs,
    ok: 10,
    latencyUs: { p95 },
    ...(corrected !== undefined ? { correctedLatencyUs: { p95: corrected } } : {}),
  } as PhaseReport;
}

/** One-second windows with these p95s (µs); a null window ran nothing. */
function windows(p95s: Array<number | null>, corrected?: number[]): WindowReport[] {
  return p95s.map((p95, i) => ({
    window: i,
    startMs: i * 1000,
    ok: p95 === null ? 0 : 10,
    latencyUs: { p95: p95 ?? 0 },
    ...(corrected ? { correctedLatencyUs: { p95: corrected[i]! } } : {}),
  })) as WindowReport[];
}

const spikePhases = [phase('before-spike', 0, 1000, 20_000), phase('spike', 1000, 2000, 90_000), phase('recovery', 2000, 5000, 30_000)];

test('recovery is the end of the first window after the spike whose p95 is back within 20 % of the pre-spike p95', () => {
  // 24 000 µs is the threshold itself; the empty window and the one at 24 001 µs do not count.
  assert.deepEqual(spikeRecovery(spikePhases, windows([20_000, 90_000, 24_001, null, 24_000]), 1000), {
    baselineP95Us: 20_000,
    thresholdP95Us: 24_000,
    recovered: true,
    recoveryMs: 3000,
  });
  // A low window during the spike itself is no recovery.
  assert.deepEqual(spikeRecovery(spikePhases, windows([20_000, 10_000, 50_000, 40_000, 30_000]), 1000), {
    baselineP95Us: 20_000,
    thresholdP95Us: 24_000,
    recovered: false,
    recoveryMs: null,
  });
});

test('in the open model recovery is judged on the latency users felt, from the intended start', () => {
  const open = [phase('before-spike', 0, 1000, 5_000, 10_000), phase('spike', 1000, 2000, 5_000, 80_000)];
  // Service time was back at once, but queued arrivals still waited until the fourth window.
  const r = spikeRecovery(open, windows([5_000, 5_000, 5_000, 5_000], [10_000, 80_000, 40_000, 11_000]), 1000);
  assert.deepEqual(r, { baselineP95Us: 10_000, thresholdP95Us: 12_000, recovered: true, recoveryMs: 2000 });
});

test('no recovery figure without a spike, or without a pre-spike baseline', () => {
  assert.equal(spikeRecovery([phase('stage-1', 0, 1000, 1)], windows([1]), 1000), undefined);
  assert.equal(spikeRecovery([{ ...spikePhases[0]!, ok: 0 }, spikePhases[1]!], windows([0, 1]), 1000), undefined);
});
