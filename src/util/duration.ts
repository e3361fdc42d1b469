import { UserError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * The longest any duration, and any run, may be: a week. Node's timers hold at most 2^31−1 ms
 * (24.8 days) and fire at once beyond that, and every timer of a run is an offset from its start
 * (a stage, a scenario's startTime), so a run must stay well under it; a week covers a soak test.
 */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
export const TOO_LONG = `must be at most ${formatDuration(MAX_DURATION_MS)} (a week)`;

/** Milliseconds in "500ms", "20s", "1.5m", "2h" or a bare number of seconds; NaN when it is none of these. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : NaN;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return durationMs(Number(text));
  const match = PATTERN.exec(text);
  return match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : NaN;
}

/** Parses a duration into milliseconds: positive, and at most MAX_DURATION_MS. */
export function parseDuration(value: string | number, where: string): number {
  const ms = durationMs(value);
  if (!(ms > 0)) {
    throw new UserError(`${where}: must be a positive duration (e.g. 30s, 2m), got ${typeof value === 'number' ? value : `"${value}"`}`);
  }
  if (ms > MAX_DURATION_MS) throw new UserError(`${where}: ${TOO_LONG}, got ${typeof value === 'number' ? `${value}s` : `"${value}"`}`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
