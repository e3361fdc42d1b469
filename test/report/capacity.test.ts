import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rampCapacity } from '../../src/report/capacity.js';
import type { PhaseReport } from '../../src/report/types.js';

/** A step of a ramp: its users, throughput, p95 (µs) and error rate. */
function step(users: number, opsPerSec: number, p95: number, errorRate = 0): PhaseReport {
  return { phase: `ramp:${users}`, target: users, ok: 100, failed: 0, errorRate, opsPerSec, latencyUs: { p95 } } as PhaseReport;
}

test('capacity: the most users of any step under 1 % errors and the p95 objective; knee: the last step before throughput stopped growing 5 %', () => {
  const steps = [step(10, 1000, 2000), step(20, 1900, 4000, 0.005), step(30, 1950, 6000, 0.02), step(40, 2000, 5000)];
  const wide = rampCapacity(steps, 10_000);
  assert.deepEqual(wide.capacity, { users: 40, phase: 'ramp:40' }, 'a step past a breach still counts when it meets the objective');
  assert.deepEqual(wide.knee, { users: 20, phase: 'ramp:20', opsPerSec: 1900 });
  assert.deepEqual(
    wide.steps.map((s) => s.withinSlo),
    [true, true, false, true],
  );
  assert.deepEqual(rampCapacity(steps, 3000).capacity, { users: 10, phase: 'ramp:10' });
  assert.equal(rampCapacity(steps, 1000).capacity, null, 'no step met the objective');
  assert.equal(rampCapacity(steps.slice(0, 2), 10_000).knee, null, 'throughput still grew');
});
