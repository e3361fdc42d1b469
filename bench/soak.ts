import { runEngine, scenario, type WindowSeen } from './engine-run.js';
import { BENCH_PG_DSN, median, printFigure, section, soakSeconds } from './lib.js';

const SECONDS = soakSeconds();
const RATE = 2_000;
const MB = 2 ** 20;

/**
 * Issue 14's soak: a long constant-arrival-rate run on PostgreSQL (2 workers, 8 VUs), read window
 * by window as it goes. The early stretch is the first minute (or the first tenth of a shorter
 * run), the late one the last as long: RSS at the end of each, lag p99 over each (the median of
 * the windows' p99), and how late each window's figures were merged after its slot ended; and
 * the peak RSS over two minutes after the first against the last two.
 */
export async function bench(): Promise<void> {
  const profile = `{ type: constant-arrival-rate, rate: ${RATE}, duration: ${SECONDS}s, preAllocatedVUs: 8 }`;
  const e = await runEngine(scenario('postgresql', BENCH_PG_DSN, 'SELECT 1', profile), 2);
  // The load's own windows: a last partial one is merged after teardown.
  const windows = e.windows.filter((w) => (w.figures.window + 1) * e.windowMs <= e.durationMs);
  const span = Math.max(1, Math.min(Math.round(60_000 / e.windowMs), Math.floor(windows.length / 10)));
  const early = windows.slice(0, span);
  const late = windows.slice(-span);
  const lagP99 = (ws: WindowSeen[]): number => median(ws.map((w) => (w.figures.arrivals?.lagUs.p99 ?? NaN) / 1000));
  const lateness = windows.map((w) => w.at - (e.run.startedAt + (w.figures.window + 1) * e.windowMs));
  const at = (w: WindowSeen): string => `${Math.round(((w.figures.window + 1) * e.windowMs) / 1000)} s`;

  section(
    `soak: constant-arrival-rate ${RATE.toLocaleString('en-US')}/s on postgresql, 2 workers, ${SECONDS} s (${windows.length} windows)`,
  );
  printFigure({
    name: `RSS at ${at(late.at(-1)!)}`,
    value: late.at(-1)!.rss / MB,
    unit: 'MB',
    baseline: { name: `at ${at(early.at(-1)!)}`, value: early.at(-1)!.rss / MB },
    goal: '<= 1.10',
  });
  // RSS rises and falls with the workers' old-generation GC (here a cycle of about 100 s and
  // ±35 MB): two single readings tell the phase of that cycle as much as a leak. Peaks over
  // stretches longer than a cycle, after the first minute, compare like with like.
  const cycle = Math.max(1, Math.min(Math.round(120_000 / e.windowMs), Math.floor(windows.length / 5)));
  const afterWarmUp = windows.slice(span, span + cycle);
  const last = windows.slice(-cycle);
  const peak = (ws: WindowSeen[]): number => Math.max(...ws.map((w) => w.rss)) / MB;
  printFigure({
    name: `  peak RSS, last ${cycle} windows`,
    value: peak(last),
    unit: 'MB',
    baseline: { name: `${cycle} windows from ${at(afterWarmUp[0]!)}`, value: peak(afterWarmUp) },
    goal: '<= 1.10',
  });
  const latest = lateness.indexOf(Math.max(...lateness));
  printFigure({
    name: `latest window (${at(windows[latest]!)}) merged after its slot ended`,
    value: lateness[latest]!,
    unit: 'ms',
    goal: '<= 50 ms',
  });
  printFigure({ name: '  median window', value: median(lateness), unit: 'ms' });
  printFigure({
    name: `schedule lag p99, last ${span} windows`,
    value: lagP99(late),
    unit: 'ms',
    baseline: { name: `first ${span}`, value: lagP99(early) },
    goal: '~1 (unchanged), < 1 ms',
  });
  const a = e.run.figures.arrivals!;
  printFigure({ name: 'started / intended', value: a.started / a.intended, unit: '', goal: '1' });
}
