import { splitInteger } from '../util/split.js';
import type { Runtime, Vu } from './types.js';

/**
 * VUs over time, linear between points; two points at the same time make a step (a spike).
 * Shared by ramping-vus and spike.
 */
export interface VuPoint {
  atMs: number;
  vus: number;
}

/** One worker's part of a VU plan: at every moment it runs its exact share of the total. */
export interface VuPlanShare {
  points: VuPoint[];
  weights: number[];
  index: number;
  thinkMs: number;
}

/** How often the VU count is brought back to the plan while ramping. */
const RAMP_TICK_MS = 50;

export function vusAt(points: readonly VuPoint[], t: number): number {
  let i = 0;
  while (i + 1 < points.length && points[i + 1]!.atMs <= t) i++;
  const a = points[i]!;
  const b = points[i + 1];
  if (!b || t <= a.atMs) return a.vus;
  return Math.round(a.vus + ((b.vus - a.vus) * (t - a.atMs)) / (b.atMs - a.atMs));
}

export function planShares(points: VuPoint[], weights: readonly number[], thinkMs: number): VuPlanShare[] {
  return weights.map((_, index) => ({ points, weights: [...weights], index, thinkMs }));
}

export function peakOfPlan(points: readonly VuPoint[]): number {
  return Math.max(...points.map((p) => p.vus));
}

/** An upper bound of a share's VUs: largest remainder never gives a part more than its ceiling. */
export function sharePeak(share: VuPlanShare): number {
  const sum = share.weights.reduce((a, b) => a + b, 0);
  return Math.ceil((peakOfPlan(share.points) * share.weights[share.index]!) / sum);
}

/**
 * Follows the plan: starts VUs as it rises; as it falls, the newest VUs stop after their
 * in-flight operation (graceful ramp-down). Every VU is awaited, so its last operation is counted.
 */
export async function runVuPlan(share: VuPlanShare, runtime: Runtime): Promise<void> {
  const { points, weights, index, thinkMs } = share;
  const endMs = points[points.length - 1]!.atMs;
  const running: Vu[] = [];
  const all: Vu[] = [];
  let plannedAt = 0;
  for (;;) {
    // The plan's own clock: a late timer applies the step planned for its time, then catches up.
    const t = plannedAt;
    const target = splitInteger(vusAt(points, t), weights)[index]!;
    runtime.plannedAt = plannedAt;
    while (running.length < target) {
      const vu = runtime.startVu(undefined, thinkMs);
      running.push(vu);
      all.push(vu);
    }
    while (running.length > target) runtime.retire(running.pop()!);
    runtime.plannedAt = undefined;
    if (t >= endMs || runtime.stopping) break;
    const nextPoint = points.find((p) => p.atMs > t)?.atMs ?? endMs;
    const ramping = vusAt(points, t) !== vusAt(points, nextPoint - 1e-6);
    plannedAt = ramping ? Math.min(nextPoint, t + RAMP_TICK_MS) : nextPoint;
    await runtime.sleepUntil(plannedAt);
  }
  await runtime.stopVus(all);
}
