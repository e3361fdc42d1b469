import { UserError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses "500ms", "20s", "1.5m", "2h" or a bare number of seconds into milliseconds. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.round(value * 1000);
    throw new UserError(`${where}: must be a positive duration (e.g. 30s, 2m), got ${value}`);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text), where);
  const match = PATTERN.exec(text);
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : NaN;
  if (!(ms > 0)) throw new UserError(`${where}: must be a positive duration (e.g. 30s, 2m), got "${value}"`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
