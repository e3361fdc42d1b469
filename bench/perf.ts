import { type Measured, ServerCpu } from './cpu.js';
import { bench as coordinatorBench } from './coordinator.js';
import { type EngineRun, runEngine, scenario } from './engine-run.js';
import { fidelityRows } from './fidelity.js';
import { BENCH_PG_DSN, benchRepeats, benchSeconds, interleave, medianOf, namedDsn, printFigure, section } from './lib.js';
import { memoryRows } from './memory.js';
import { percentile, pgbench } from './pgbench.js';
import type { RawLoopData } from './raw/loop.js';
import { runRaw } from './raw/run.js';
import { sleepScheduleLags } from './raw/sleep-schedule.js';

const SECONDS = benchSeconds(5);
const REPEATS = benchRepeats(3);
const MS = SECONDS * 1000;

/** Each measured run has an application name of its own, by which its server CPU is read. */
let runs = 0;
function application(): string {
  return `stampede_perf_${process.pid}_${++runs}`;
}

const closed = (vus: number): string => `{ type: constant-vus, vus: ${vus}, duration: ${SECONDS}s }`;

function engine(provider: string, vus: number, workers: number, server?: ServerCpu, options?: string): () => Promise<EngineRun> {
  return () => {
    if (!server) return runEngine(scenario(provider, undefined, 'SELECT 1', closed(vus), options), workers);
    const app = application();
    const yaml = scenario(provider, namedDsn(BENCH_PG_DSN, app), 'SELECT 1', closed(vus), options);
    return runEngine(yaml, workers, { cpu: server, application: app });
  };
}

/** The fastest configuration for SELECT 1 on a direct connection: postgres.js, pipelined, named statements. */
const PIPELINED_PREPARED = '{ driver: postgres, pipeline: true, prepare: true }';

function raw(data: Omit<RawLoopData, 'ms'>, threads = 1, server?: ServerCpu): () => Promise<Measured> {
  return () => {
    if (!server) return runRaw({ ...data, ms: MS }, threads);
    const app = application();
    return runRaw({ ...data, ms: MS, dsn: namedDsn(BENCH_PG_DSN, app) }, threads, { cpu: server, application: app });
  };
}

function pgbenchRun(args: string[], server: ServerCpu): () => Promise<Measured> {
  return () => pgbench({ dsn: BENCH_PG_DSN, sql: 'SELECT 1', seconds: SECONDS, args, server: { cpu: server, application: application() } });
}

const rate = (runs: Measured[]): number => medianOf(runs, (r) => r.rate);

/** Client and server CPU per operation of each candidate, next to pgbench's (runs of 3 s or more). */
function printCpu(candidates: Record<string, Measured[]>, pgbenchName: string): void {
  const theirs = candidates[pgbenchName]!;
  for (const [side, key] of [
    ['client', 'clientUsPerOp'],
    ['server', 'serverUsPerOp'],
  ] as const) {
    const base = medianOf(theirs, (r) => r[key] ?? NaN);
    for (const [name, runs] of Object.entries(candidates)) {
      const value = medianOf(runs, (r) => r[key] ?? NaN);
      if (name === pgbenchName || Number.isNaN(value) || Number.isNaN(base)) continue;
      printFigure({ name: `${side} CPU per op, ${name}`, value, unit: 'µs', baseline: { name: 'pgbench', value: base } });
    }
  }
}

async function sqliteRows(): Promise<void> {
  const r = await interleave(
    {
      raw1: raw({ kind: 'sqlite', callers: 1 }),
      engine1: engine('sqlite_memory', 1, 1),
      raw2: raw({ kind: 'sqlite', callers: 1 }, 2),
      engine2: engine('sqlite_memory', 2, 2),
    },
    REPEATS,
  );
  section('SQLite :memory: SELECT 1');
  printFigure({
    name: '1 worker, 1 VU',
    value: rate(r.engine1),
    unit: 'ops/s',
    baseline: { name: 'raw better-sqlite3 loop (worker; raw().get(), hrtime + HDR per op)', value: rate(r.raw1) },
    goal: '>= 0.80',
  });
  printFigure({
    name: '2 workers vs 1',
    value: rate(r.engine2),
    unit: 'ops/s',
    baseline: { name: '1 worker', value: rate(r.engine1) },
    goal: '>= 1.9',
  });
  printFigure({ name: '  raw, 2 threads vs 1', value: rate(r.raw2), unit: 'ops/s', baseline: { name: '1 thread', value: rate(r.raw1) } });
}

async function pgRows(server: ServerCpu): Promise<void> {
  const r = await interleave(
    {
      'raw pg.Pool (max 8), 8 loops': raw({ kind: 'pg', callers: 8 }, 1, server),
      'engine, 1 worker': engine('postgresql', 8, 1, server),
      'engine, 2 workers': engine('postgresql', 8, 2, server),
      'pgbench -M extended -c 8 -j 2': pgbenchRun(['-M', 'extended', '-c', '8', '-j', '2'], server),
    },
    REPEATS,
  );
  section('postgresql (pg) SELECT 1, 8 VUs');
  printFigure({
    name: '1 worker',
    value: rate(r['engine, 1 worker']),
    unit: 'q/s',
    baseline: { name: 'raw pg.Pool (max 8), 8 loops', value: rate(r['raw pg.Pool (max 8), 8 loops']) },
    goal: '>= 0.95',
  });
  printFigure({
    name: '2 workers',
    value: rate(r['engine, 2 workers']),
    unit: 'q/s',
    baseline: { name: 'pgbench -M extended -c 8 -j 2', value: rate(r['pgbench -M extended -c 8 -j 2']) },
  });
  printCpu(r, 'pgbench -M extended -c 8 -j 2');
}

async function pipelinedRows(server: ServerCpu): Promise<void> {
  const r = await interleave(
    {
      'raw postgres.js max 1, 64 loops': raw({ kind: 'postgres', callers: 64 }, 1, server),
      'engine, 1 worker': engine('postgresql_optimized', 64, 1, server),
      'raw postgres.js max 1, prepared, 64 loops': raw({ kind: 'postgres-prepared', callers: 64 }, 1, server),
      'engine, prepared, 1 worker': engine('postgresql', 64, 1, server, PIPELINED_PREPARED),
      'engine, prepared, 2 workers': engine('postgresql', 64, 2, server, PIPELINED_PREPARED),
      'pgbench -M prepared -c 8 -j 2': pgbenchRun(['-M', 'prepared', '-c', '8', '-j', '2'], server),
    },
    REPEATS,
  );
  section('postgresql_optimized (postgres.js, pipelined, unnamed statements) SELECT 1, 64 VUs');
  printFigure({
    name: '1 worker',
    value: rate(r['engine, 1 worker']),
    unit: 'q/s',
    baseline: { name: 'raw postgres.js max 1, 64 loops', value: rate(r['raw postgres.js max 1, 64 loops']) },
    goal: '>= 0.95',
  });
  section(`postgresql with ${PIPELINED_PREPARED}, SELECT 1, 64 VUs`);
  printFigure({
    name: '1 worker',
    value: rate(r['engine, prepared, 1 worker']),
    unit: 'q/s',
    baseline: { name: 'raw postgres.js max 1, prepared, 64 loops', value: rate(r['raw postgres.js max 1, prepared, 64 loops']) },
    goal: '>= 0.95',
  });
  const best = Math.max(rate(r['engine, prepared, 1 worker']), rate(r['engine, prepared, 2 workers']));
  const which = best === rate(r['engine, prepared, 1 worker']) ? '1 worker' : '2 workers';
  printFigure({
    name: `best of 1 or 2 workers (${which})`,
    value: best,
    unit: 'q/s',
    baseline: { name: 'pgbench -M prepared -c 8 -j 2', value: rate(r['pgbench -M prepared -c 8 -j 2']) },
    goal: '>= 0.90',
  });
  printCpu(r, 'pgbench -M prepared -c 8 -j 2');
}

/** The open model's schedule on the generator alone (sqlite_memory), next to pgbench -R on PostgreSQL. */
async function arrivalRows(): Promise<void> {
  const arrivalSeconds = SECONDS * 2;
  const ratePerSec = 20_000;
  const profile = `{ type: constant-arrival-rate, rate: ${ratePerSec}, duration: ${arrivalSeconds}s, preAllocatedVUs: 8 }`;
  const r = await interleave(
    {
      engine: () => runEngine(scenario('sqlite_memory', undefined, 'SELECT 1', profile), 2),
      pgbench: () =>
        pgbench({
          dsn: BENCH_PG_DSN,
          sql: 'SELECT 1',
          seconds: arrivalSeconds,
          args: ['-R', String(ratePerSec), '-c', '8', '-j', '2'],
          lags: true,
        }),
      sleeping: () => sleepScheduleLags(ratePerSec, arrivalSeconds, 2),
    },
    REPEATS,
  );
  const arrivals = (e: EngineRun) => e.run.figures.arrivals!;
  section(`constant-arrival-rate ${ratePerSec.toLocaleString('en-US')}/s, ${arrivalSeconds} s, 2 workers, sqlite_memory`);
  printFigure({
    name: 'started / intended (rate exact)',
    value: medianOf(r.engine, (e) => arrivals(e).started / arrivals(e).intended),
    unit: '',
    goal: '= 1',
  });
  printFigure({ name: 'intended', value: medianOf(r.engine, (e) => arrivals(e).intended), unit: 'arrivals' });
  printFigure({
    name: 'schedule lag p99',
    value: medianOf(r.engine, (e) => arrivals(e).lagUs.p99 / 1000),
    unit: 'ms',
    baseline: { name: 'pgbench -R -c 8 -j 2 on PostgreSQL', value: medianOf(r.pgbench, (p) => percentile(p.lags ?? [], 99)) },
    goal: '< 1 ms',
  });
  printFigure({
    name: 'schedule lag p99',
    value: medianOf(r.engine, (e) => arrivals(e).lagUs.p99 / 1000),
    unit: 'ms',
    baseline: {
      name: "2 threads that only sleep until each arrival's time (this machine's floor)",
      value: medianOf(r.sleeping, (l) => percentile(l, 99)),
    },
  });
}

/**
 * Issue 14's two tables: the performance table (each path against its raw driver loop or pgbench,
 * measured in the same run, interleaved, medians) and the latency-fidelity table; client and
 * server CPU per operation for the PostgreSQL rows.
 */
export async function bench(): Promise<void> {
  process.stdout.write(`(${SECONDS} s per measurement, median of ${REPEATS} interleaved rounds)\n`);
  await sqliteRows();
  const server = await ServerCpu.open(BENCH_PG_DSN);
  try {
    await pgRows(server);
    await pipelinedRows(server);
  } finally {
    await server.close();
  }
  await memoryRows();
  await arrivalRows();
  await coordinatorBench();
  await fidelityRows();
}
