import type { WindowFigures } from '../metrics/aggregate.js';
import { count, ms } from './table.js';

/** The once-a-window progress line, like pgbench -P. */
export function liveLine(provider: string, figures: WindowFigures, windowMs: number): string {
  const elapsed = ((figures.window + 1) * windowMs) / 1000;
  const rate = figures.ok / (windowMs / 1000);
  return (
    `[${elapsed.toFixed(0).padStart(4)}s] ${provider}: vus ${figures.activeVUs}, ` +
    `${count(rate)} ops/s, p95 ${ms(figures.latencyUs.p95)} ms, errors ${count(figures.errors)}`
  );
}
