import type { WindowFigures } from '../../metrics/aggregate.js';

/** One window of one provider as the live dashboard's page adds it to its charts (latency in µs). */
export interface LivePoint {
  provider: number;
  window: number;
  phase: string;
  opsPerSec: number;
  activeVUs: number;
  errorsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  corrected?: { p50: number; p95: number; p99: number };
  operations: Record<string, number>;
  saturated: boolean;
}

/** The window's figures as the live line shows them, for the page (the rate over a whole window, as the live line divides it). */
export function livePoint(provider: number, w: WindowFigures, windowMs: number): LivePoint {
  const seconds = windowMs / 1000;
  return {
    provider,
    window: w.window,
    phase: w.phase,
    opsPerSec: Math.round((w.ok / seconds) * 10) / 10,
    activeVUs: w.activeVUs,
    errorsPerSec: Math.round((w.failed / seconds) * 100) / 100,
    p50: w.latencyUs.p50,
    p95: w.latencyUs.p95,
    p99: w.latencyUs.p99,
    ...(w.correctedUs ? { corrected: { p50: w.correctedUs.p50, p95: w.correctedUs.p95, p99: w.correctedUs.p99 } } : {}),
    operations: Object.fromEntries(w.operations.map((o) => [o.operation, o.latencyUs.p95])),
    saturated: w.saturated,
  };
}
