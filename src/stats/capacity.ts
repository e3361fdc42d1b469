/** One step (or phase) of a stepped load test, as the capacity analysis needs it. */
export interface StepFigures {
  users: number;
  /** Failed / all operations, 0..1. */
  errorRate: number;
  p95Ms: number;
}

export interface CapacityOptions {
  /** Highest acceptable error rate, 0..1 (default 0.01). */
  maxErrorRate?: number;
  /** p95 service level objective in milliseconds (default: none). */
  p95SloMs?: number;
}

export interface Capacity {
  /** Highest user count of a step that met the limits; 0 when none did. */
  capacity: number;
  /** The first step that broke a limit, and why. */
  breach?: { users: number; reason: 'errors' | 'p95'; value: number; limit: number };
}

/**
 * Concurrent-user capacity of a stepped test: the highest step with error rate under the limit and
 * p95 under the SLO, below the first step that broke either. Pure, so a richer phase analysis can
 * replace it without touching the load tester.
 */
export function analyzeCapacity(steps: readonly StepFigures[], options: CapacityOptions = {}): Capacity {
  const maxErrorRate = options.maxErrorRate ?? 0.01;
  let capacity = 0;
  for (const step of [...steps].sort((x, y) => x.users - y.users)) {
    if (step.errorRate >= maxErrorRate)
      return { capacity, breach: { users: step.users, reason: 'errors', value: step.errorRate, limit: maxErrorRate } };
    if (options.p95SloMs !== undefined && step.p95Ms > options.p95SloMs) {
      return { capacity, breach: { users: step.users, reason: 'p95', value: step.p95Ms, limit: options.p95SloMs } };
    }
    capacity = step.users;
  }
  return { capacity };
}
