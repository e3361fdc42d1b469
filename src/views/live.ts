import type { WindowFigures } from '../metrics/aggregate.js';
import { count, latencyText, windowLabel } from './table.js';

/** The once-a-window progress line, like pgbench -P. */
export function liveLine(provider: string, figures: WindowFigures, windowMs: number): string {
  const rate = figures.ok / (windowMs / 1000);
  return (
    `[${windowLabel(figures.window, windowMs).padStart(5)}] ${provider}: ${figures.phase === 'main' ? '' : `${figures.phase}, `}vus ${figures.activeVUs}, ` +
    `${count(rate)} ops/s, p95 ${latencyText(figures.latencyUs.p95)}, errors ${count(figures.failed)}` +
    (figures.arrivals
      ? `, corrected p95 ${latencyText(figures.correctedUs?.p95 ?? 0)}, dropped ${count(figures.arrivals.dropped)}, lag p99 ${latencyText(figures.arrivals.lagUs.p99)}`
      : '') +
    (figures.saturated && figures.health
      ? ` WARNING generator saturated (${figures.health.inline ? `VUs waited p99 ${latencyText(figures.health.threadWaitP99Us ?? 0)} for the thread` : `event-loop delay p99 ${latencyText(figures.health.loopDelayP99Us)}`}, cpu ${Math.round(figures.health.cpu * 100)} %)`
      : '')
  );
}

/** Where live lines go: a terminal, where a line can be redrawn, or a log. */
export interface LiveStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * On a terminal, one line redrawn in place each window (like a progress bar), and left on screen
 * at the end; elsewhere (a CI log, a pipe), one line a window.
 */
export function liveOutput(stream: LiveStream): { line(text: string): void; end(): void } {
  let open = false;
  return {
    line(text) {
      if (!stream.isTTY) {
        stream.write(`${text}\n`);
        return;
      }
      // Carriage return, then erase the line: a shorter line leaves nothing of the longer one.
      stream.write(`\r\x1b[2K${text}`);
      open = true;
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
