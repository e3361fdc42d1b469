import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { benchSeconds, printFigure, section } from './lib.js';

const run = promisify(execFile);
const CHILD = new URL('./memory-child.js', import.meta.url).pathname;
/** The 15 s, or three times BENCH_SECONDS. */
const SECONDS = benchSeconds(5) * 3;
const ACTIVE_VUS = 100_000;
const IDLE_VUS = 1_000_000;
const MB = 2 ** 20;

async function peakRss(args: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [CHILD, ...args], { maxBuffer: 1 << 20 });
  return Number(stdout.trim());
}

const engine = (vus: number, workers: number, thinkS: number): Promise<number> =>
  peakRss(['engine', String(vus), String(workers), String(SECONDS), String(thinkS)]);

/**
 * Peak RSS of a whole run (one process: coordinator and worker threads), each in a fresh child.
 * Per-VU bytes are the growth over the same run with one VU, next to bare promise loops doing the
 * same query (growth over no loops): what a VU costs beyond the promise itself.
 */
export async function memoryRows(): Promise<void> {
  section(`${ACTIVE_VUS.toLocaleString('en-US')} VUs, thinkTime 1 s, SELECT 1 on sqlite_memory, ${SECONDS} s: peak RSS of the process`);
  const bareBase = await peakRss(['bare', '0', String(SECONDS), '1']);
  const bare = await peakRss(['bare', String(ACTIVE_VUS), String(SECONDS), '1']);
  const barePerVu = (bare - bareBase) / ACTIVE_VUS;
  for (const workers of [1, 2]) {
    const base = await engine(1, workers, 1);
    const peak = await engine(ACTIVE_VUS, workers, 1);
    printFigure({ name: `peak RSS, ${workers} worker${workers > 1 ? 's' : ''}`, value: peak / MB, unit: 'MB', goal: '< 300 MB' });
    printFigure({
      name: `  per VU, ${workers} worker${workers > 1 ? 's' : ''}`,
      value: (peak - base) / (ACTIVE_VUS - 1) / 1024,
      unit: 'KB',
      baseline: { name: 'bare promise loops', value: barePerVu / 1024 },
    });
  }

  section(`${IDLE_VUS.toLocaleString('en-US')} idle VUs (thinkTime longer than the run), 2 workers, ${SECONDS} s`);
  const base = await engine(1, 2, SECONDS * 2);
  const peak = await engine(IDLE_VUS, 2, SECONDS * 2);
  printFigure({ name: 'peak RSS', value: peak / MB, unit: 'MB', goal: '< 2048 MB' });
  printFigure({
    name: '  per VU',
    value: (peak - base) / (IDLE_VUS - 1) / 1024,
    unit: 'KB',
    baseline: { name: `bare promise loops (at ${ACTIVE_VUS.toLocaleString('en-US')})`, value: barePerVu / 1024 },
  });
}
