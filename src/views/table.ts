/** Left-aligns the first `textColumns` columns and right-aligns the rest (numbers). */
export function formatTable(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < textColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * A latency in microseconds as text with its unit, the one place a latency changes unit on its way
 * to the screen: under a millisecond in µs to three significant digits, what the histogram holds
 * (`0.48 µs`, `84.2 µs`); from a millisecond on in ms with three decimals, as pgbench prints it.
 */
export function latencyText(us: number): string {
  const shown = Number(us.toPrecision(3));
  return shown < 1000 ? `${shown} µs` : `${(us / 1000).toFixed(3)} ms`;
}

/**
 * A latency in milliseconds for a column headed "ms": three decimals, as pgbench prints it, and
 * below a millisecond three significant digits, so a sub-microsecond figure does not read 0.000.
 */
export function msFigure(ms: number): string {
  const shown = Number(ms.toPrecision(3));
  return shown >= 1 || shown === 0 ? ms.toFixed(3) : String(shown);
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A window as the live line labels it: the time elapsed at its end ("5s", "2.5s"). */
export function windowLabel(window: number, windowMs: number): string {
  return `${Number((((window + 1) * windowMs) / 1000).toFixed(1))}s`;
}

/** The first `max` windows as the live line labels them, then how many more. */
export function windowLabels(windows: readonly number[], windowMs: number, max = 10): string {
  const shown = windows.slice(0, max).map((w) => windowLabel(w, windowMs));
  return `windows ending at ${shown.join(', ')}${windows.length > max ? ` and ${windows.length - max} more` : ''}`;
}
