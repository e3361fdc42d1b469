import { felt } from './phases.js';
import type { PhaseReport, RampCapacity, RampStep } from './types.js';

/** A step must keep its error rate under this to count toward the capacity. */
const MAX_ERROR_RATE = 0.01;
/** Throughput "still grows" while a step with more users adds at least this fraction. */
const MIN_GROWTH = 0.05;

/**
 * A ramp's figures per step, its concurrent-user capacity (the most users of any step within
 * the SLO and under 1 % errors) and its knee (the last step before adding users stopped adding
 * at least 5 % throughput).
 */
export function rampCapacity(phases: readonly PhaseReport[], sloP95Us: number): RampCapacity {
  const steps: RampStep[] = phases
    .filter((p) => p.target !== undefined && p.ok + p.failed > 0)
    .map((p) => {
      const p95Us = felt(p);
      return {
        phase: p.phase,
        users: p.target!,
        opsPerSec: p.opsPerSec,
        p95Us,
        errorRate: p.errorRate,
        withinSlo: p.errorRate < MAX_ERROR_RATE && p95Us < sloP95Us,
      };
    });
  let capacity: RampCapacity['capacity'] = null;
  for (const s of steps) if (s.withinSlo && (!capacity || s.users > capacity.users)) capacity = { users: s.users, phase: s.phase };
  let knee: RampCapacity['knee'] = null;
  for (let i = 1; i < steps.length && !knee; i++) {
    const prev = steps[i - 1]!;
    const step = steps[i]!;
    if (step.users > prev.users && step.opsPerSec < prev.opsPerSec * (1 + MIN_GROWTH)) {
      knee = { users: prev.users, phase: prev.phase, opsPerSec: prev.opsPerSec };
    }
  }
  return { sloP95Us, steps, capacity, knee };
}
