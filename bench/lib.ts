/**
 * Bench conventions: every figure is printed next to a baseline measured in the same run, as a
 * ratio; nothing here asserts a time. Each bench module exports `bench(): Promise<void>`.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** The figure the issue asks for, e.g. ">= 0.90"; printed, never asserted. */
  goal?: string;
}

export function printFigure(f: Figure): void {
  const value = `${fmt(f.value)} ${f.unit}`;
  if (!f.baseline) {
    process.stdout.write(`  ${f.name}: ${value}${f.goal ? `  (goal ${f.goal})` : ''}\n`);
    return;
  }
  const ratio = f.value / f.baseline.value;
  process.stdout.write(
    `  ${f.name}: ${value} vs ${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit} = ${ratio.toFixed(3)}x` +
      `${f.goal ? `  (goal ${f.goal})` : ''}\n`,
  );
}

export function section(title: string): void {
  process.stdout.write(`\n## ${title}\n`);
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
