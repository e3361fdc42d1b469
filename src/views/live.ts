import type { WindowFigures } from '../metrics/aggregate.js';
import { count, msText } from './table.js';

/** The once-a-window progress line, like pgbench -P. */
export function liveLine(provider: string, figures: WindowFigures, windowMs: number): string {
  const elapsed = ((figures.window + 1) * windowMs) / 1000;
  const rate = figures.ok / (windowMs / 1000);
  return (
    `[${elapsed.toFixed(0).padStart(4)}s] ${provider}: ${figures.phase === 'main' ? '' : `${figures.phase}, `}vus ${figures.activeVUs}, ` +
    `${count(rate)} ops/s, p95 ${msText(figures.latencyUs.p95)} ms, errors ${count(figures.failed)}` +
    (figures.arrivals
      ? `, corrected p95 ${msText(figures.correctedUs?.p95 ?? 0)} ms, dropped ${count(figures.arrivals.dropped)}, lag p99 ${msText(figures.arrivals.lagUs.p99)} ms`
      : '') +
    (figures.saturated && figures.health
      ? ` WARNING generator saturated (${figures.health.inline ? `VUs waited p99 ${msText(figures.health.threadWaitP99Us ?? 0)} ms for the thread` : `event-loop delay p99 ${msText(figures.health.loopDelayP99Us)} ms`}, cpu ${Math.round(figures.health.cpu * 100)} %)`
      : '')
  );
}
