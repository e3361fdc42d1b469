import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseScenario } from '../src/config/load.js';
import { runPlan } from '../src/engine/engine.js';
import { createLogger } from '../src/log.js';
import { buildPlan } from '../src/plan/plan.js';
import { BENCH_PG_DSN, benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';
import { percentile, pgbench } from './pgbench.js';

const run = promisify(execFile);
const RATES = [2_000, 20_000, 50_000];
/** Whole seconds: pgbench -T takes no fraction. */
const SECONDS = Math.ceil(benchSeconds(5));
const REPEATS = benchRepeats(1);
const IDLE_VUS = 100_000;
/** The VUs' think time fills the run, so they are idle nearly all of it (two operations each). */
const THINK_S = SECONDS;

/**
 * Open-model accuracy: achieved rate and schedule lag of constant-arrival-rate against SQLite
 * :memory:, next to pgbench -R at the same rates against the local PostgreSQL (its lag read
 * from its per-transaction log). Then the memory of 100 000 idle VUs, next to bare promise loops.
 */
export async function bench(): Promise<void> {
  for (const rate of RATES) {
    section(`constant-arrival-rate ${rate.toLocaleString('en-US')}/s for ${SECONDS} s${REPEATS > 1 ? `, medians of ${REPEATS}` : ''}`);
    const runs: Array<[Rated, Rated]> = [];
    for (let i = 0; i < REPEATS; i++) runs.push([await stampedeAtRate(rate), await pgbenchAtRate(rate)]);
    const ours = medians(runs.map(([s]) => s));
    const pg = medians(runs.map(([, p]) => p));
    printFigure({
      name: 'achieved / target (stampede, sqlite :memory:, 2 workers)',
      value: ours.achieved / rate,
      unit: '',
      baseline: { name: 'pgbench -R -c 8 -j 2', value: pg.achieved / rate },
      goal: '1 ± 0.005',
    });
    printFigure({
      name: 'schedule lag p99 (stampede)',
      value: ours.lagP99Ms,
      unit: 'ms',
      baseline: { name: 'pgbench', value: pg.lagP99Ms },
      goal: '< 1 ms',
    });
    printFigure({
      name: 'schedule lag avg (stampede)',
      value: ours.lagAvgMs,
      unit: 'ms',
      baseline: { name: 'pgbench', value: pg.lagAvgMs },
    });
    printFigure({
      name: 'schedule lag max (stampede)',
      value: ours.lagMaxMs,
      unit: 'ms',
      baseline: { name: 'pgbench', value: pg.lagMaxMs },
    });
    printFigure({ name: 'dropped (stampede)', value: ours.dropped, unit: 'ops' });
    const saturated = Math.abs(ours.achieved / rate - 1) > 0.005 || ours.lagP99Ms >= 1;
    process.stdout.write(
      `  stampede ${saturated ? 'SATURATED' : 'keeps up'} at ${rate}/s; saturated windows flagged: ${ours.saturatedWindows}\n`,
    );
  }

  section(`${IDLE_VUS.toLocaleString('en-US')} idle VUs (think time ${THINK_S} s)`);
  const bare = await bareLoopsRss(IDLE_VUS);
  const idle = await idleVusRss(IDLE_VUS);
  printFigure({
    name: 'RSS growth per idle VU (stampede constant-vus, in-process)',
    value: idle.perVuBytes / 1024,
    unit: 'KB',
    baseline: { name: 'bare promise loops', value: bare / 1024 },
  });
  printFigure({ name: 'peak RSS with 100 000 idle VUs', value: idle.peakRss / 2 ** 20, unit: 'MB', goal: '< 400 MB' });
}

interface Rated {
  achieved: number;
  lagAvgMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  dropped?: number;
  saturatedWindows?: number;
}

/** Each figure's median over the rounds. */
function medians<T extends Rated>(runs: T[]): Required<Rated> {
  const m = (f: (r: Rated) => number | undefined): number => median(runs.map((r) => f(r) ?? 0));
  return {
    achieved: m((r) => r.achieved),
    lagAvgMs: m((r) => r.lagAvgMs),
    lagP99Ms: m((r) => r.lagP99Ms),
    lagMaxMs: m((r) => r.lagMaxMs),
    dropped: m((r) => r.dropped),
    saturatedWindows: m((r) => r.saturatedWindows),
  };
}

async function stampedeAtRate(rate: number): Promise<Required<Rated>> {
  const text = `providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - { type: query, sql: SELECT 1 }
profile: { type: constant-arrival-rate, rate: ${rate}, duration: ${SECONDS}s, preAllocatedVUs: 8 }
options: { workers: 2 }
`;
  const plan = buildPlan({ scenario: parseScenario(text, 'bench'), file: 'bench', baseDir: process.cwd() });
  let saturatedWindows = 0;
  const result = await runPlan(plan, {
    logger: createLogger({ level: 'silent' }),
    onWindow: (_p, w) => void (w.saturated && saturatedWindows++),
  });
  const run = result.providers[0]!;
  const a = run.figures.arrivals!;
  // Over the time the run really took: a generator that fell behind and caught up after the end shows here.
  const elapsedSec = Math.max(SECONDS, (run.endedAt - run.startedAt) / 1000);
  return {
    achieved: a.started / elapsedSec,
    lagAvgMs: a.lagUs.mean / 1000,
    lagP99Ms: a.lagUs.p99 / 1000,
    lagMaxMs: a.lagUs.max / 1000,
    dropped: a.dropped,
    saturatedWindows,
  };
}

async function pgbenchAtRate(rate: number): Promise<Rated> {
  const run = await pgbench({
    dsn: BENCH_PG_DSN,
    sql: 'SELECT 1',
    seconds: SECONDS,
    args: ['-R', String(rate), '-c', '8', '-j', '2'],
    lags: true,
  });
  const lags = run.lags ?? [];
  return {
    achieved: lags.length / SECONDS,
    lagAvgMs: lags.reduce((s, x) => s + x, 0) / Math.max(1, lags.length),
    lagP99Ms: percentile(lags, 99),
    lagMaxMs: lags.at(-1) ?? 0,
  };
}

/** Peak RSS and growth per VU of a constant-vus run whose VUs think between operations. */
async function idleVusRss(vus: number): Promise<{ peakRss: number; perVuBytes: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const text = `providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - { type: query, sql: SELECT 1 }
profile: { type: constant-vus, vus: ${vus}, duration: ${THINK_S + 1}s, thinkTime: ${THINK_S}s }
options: { workers: 0 }
`;
  const plan = buildPlan({ scenario: parseScenario(text, 'bench'), file: 'bench', baseDir: process.cwd() });
  let peakRss = before;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    await runPlan(plan, { logger: createLogger({ level: 'silent' }) });
  } finally {
    clearInterval(sampler);
  }
  return { peakRss, perVuBytes: (peakRss - before) / vus };
}

/** The floor: bare async loops that each sleep as long, in a child process of their own. */
async function bareLoopsRss(vus: number): Promise<number> {
  const code = `
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const before = process.memoryUsage().rss;
let stop = false;
for (let i = 0; i < ${vus}; i++) (async () => { while (!stop) await sleep(${THINK_S * 1000}); })();
setTimeout(() => { console.log((process.memoryUsage().rss - before) / ${vus}); stop = true; }, 3000);`;
  const { stdout } = await run(process.execPath, ['-e', code]);
  return Number(stdout.trim());
}
