/**
 * Bench conventions: every figure is printed next to a baseline measured in the same run, as a
 * ratio; nothing here asserts a time. Each bench module exports `bench(): Promise<void>`.
 */

/** Bad bench input (a variable or a name): one line, exit 2. */
export class BenchInputError extends Error {}

/** `BENCH_SECONDS`, or the bench's own default: how long each measured run lasts. */
export function benchSeconds(fallback: number): number {
  return positiveFromEnv('BENCH_SECONDS', fallback, false);
}

/** `BENCH_REPEATS`, or the bench's own default: alternating rounds per figure, whose median is printed. */
export function benchRepeats(fallback: number): number {
  return positiveFromEnv('BENCH_REPEATS', fallback, true);
}

/** `BENCH_SOAK_SECONDS`, or 600: how long the soak bench runs. */
export function soakSeconds(): number {
  return positiveFromEnv('BENCH_SOAK_SECONDS', 600, false);
}

/** The PostgreSQL the benches that need one run against. */
export const BENCH_PG_DSN = process.env.BENCH_PG_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function positiveFromEnv(name: string, fallback: number, integer: boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new BenchInputError(`${name}=${raw}: must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return n;
}
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** The figure the issue asks for, e.g. ">= 0.90"; printed, never asserted. */
  goal?: string;
}

export function printFigure(f: Figure): void {
  const unit = f.unit ? ` ${f.unit}` : '';
  const value = `${fmt(f.value)}${unit}`;
  if (!f.baseline) {
    process.stdout.write(`  ${f.name}: ${value}${f.goal ? `  (goal ${f.goal})` : ''}\n`);
    return;
  }
  const ratio = f.value / f.baseline.value;
  process.stdout.write(
    `  ${f.name}: ${value} vs ${f.baseline.name} ${fmt(f.baseline.value)}${unit} = ${ratio.toFixed(3)}x` +
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

/**
 * Runs every candidate once per round for `repeats` rounds, reversing the order on odd rounds, so a
 * neighbour's load and any warming drift over all of them alike; returns each one's results.
 */
export async function interleave<C extends Record<string, () => Promise<unknown>>>(
  candidates: C,
  repeats: number,
): Promise<{ [K in keyof C]: Array<Awaited<ReturnType<C[K]>>> }> {
  const names: Array<keyof C> = Object.keys(candidates);
  const results = Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as { [K in keyof C]: Array<Awaited<ReturnType<C[K]>>> };
  for (let round = 0; round < repeats; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      results[name].push((await candidates[name]!()) as Awaited<ReturnType<C[typeof name]>>);
    }
  }
  return results;
}

/** The median of one figure over rounds. */
export function medianOf<T>(runs: T[], figure: (run: T) => number): number {
  return median(runs.map(figure));
}

/** `dsn` with an `application_name` of its own: the server-side CPU of a run is read by that name. */
export function namedDsn(dsn: string, application: string): string {
  const url = new URL(dsn);
  url.searchParams.set('application_name', application);
  return url.toString();
}
