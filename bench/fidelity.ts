import { type EngineRun, runEngine, scenario } from './engine-run.js';
import { BENCH_PG_DSN, benchRepeats, benchSeconds, interleave, medianOf, printFigure, section } from './lib.js';
import { pgbench } from './pgbench.js';
import { runRaw } from './raw/run.js';
import type { Measured } from './cpu.js';

const SECONDS = benchSeconds(5);
const REPEATS = benchRepeats(3);
const GOAL = '<= 1.25';

interface Load {
  title: string;
  sql: string;
  /** Stampede's profile (YAML flow map) and workers. */
  profile: string;
  workers: number;
  /** pgbench's arguments for the same load. */
  pgbench: string[];
  open: boolean;
  /** The same load as a raw pg.Pool loop can run it (SELECT 1, closed): the driver's own latency. */
  raw?: boolean;
}

const LOADS: Load[] = [
  ...[2_000, 20_000].map((rate) => ({
    title: `open model ${rate.toLocaleString('en-US')}/s, 8 connections, 2 threads`,
    sql: 'SELECT 1',
    profile: `{ type: constant-arrival-rate, rate: ${rate}, duration: ${SECONDS}s, preAllocatedVUs: 8, maxVUs: 8 }`,
    workers: 2,
    pgbench: ['-R', String(rate), '-c', '8', '-j', '2'],
    open: true,
  })),
  {
    title: 'closed, 1 connection, no think time',
    sql: 'SELECT 1',
    profile: `{ type: constant-vus, vus: 1, duration: ${SECONDS}s }`,
    workers: 1,
    pgbench: ['-c', '1', '-j', '1'],
    open: false,
    raw: true,
  },
  {
    title: 'closed, 4 VUs, SELECT pg_sleep(0.005), 2 threads',
    sql: 'SELECT pg_sleep(0.005)',
    profile: `{ type: constant-vus, vus: 4, duration: ${SECONDS}s }`,
    workers: 2,
    pgbench: ['-c', '4', '-j', '2'],
    open: false,
  },
];

/**
 * The latency-fidelity table: the same statement on the same server, Stampede (`postgresql`, pg)
 * against pgbench in alternating rounds. In the open model pgbench's latency average counts from
 * the scheduled start, as Stampede's corrected latency does; closed, both time the statement.
 */
export async function fidelityRows(): Promise<void> {
  for (const load of LOADS) {
    const r = await interleave(
      {
        pgbench: () => pgbench({ dsn: BENCH_PG_DSN, sql: load.sql, seconds: SECONDS, args: load.pgbench }),
        engine: () => runEngine(scenario('postgresql', BENCH_PG_DSN, load.sql, load.profile), load.workers),
        ...(load.raw ? { raw: () => runRaw({ kind: 'pg', ms: SECONDS * 1000, callers: 1, dsn: BENCH_PG_DSN }) } : {}),
      },
      REPEATS,
    );
    const [ours, theirs] = [r.engine, r.pgbench];
    const total = (e: EngineRun) => e.run.figures.total;
    const pgAvg = medianOf(theirs, (p) => p.latencyAvgMs);
    section(`latency fidelity: ${load.title}, ${load.workers} worker${load.workers > 1 ? 's' : ''}`);
    printFigure({
      name: load.open ? 'corrected mean' : 'mean',
      value: medianOf(ours, (e) => (load.open ? total(e).correctedUs! : total(e).latencyUs).mean / 1000),
      unit: 'ms',
      baseline: { name: `pgbench ${load.pgbench.join(' ')} latency average`, value: pgAvg },
      goal: GOAL,
    });
    // One caller back to back: its mean latency is the time per call.
    if (r.raw) {
      printFigure({
        name: 'mean',
        value: medianOf(ours, (e) => total(e).latencyUs.mean / 1000),
        unit: 'ms',
        baseline: {
          name: 'raw pg.Pool loop, 1 caller, in a worker (1 / its rate)',
          value: medianOf(r.raw as Measured[], (m) => 1000 / m.rate),
        },
      });
    }
    printFigure({ name: '  service time p50', value: medianOf(ours, (e) => total(e).latencyUs.p50 / 1000), unit: 'ms' });
    if (load.open) {
      printFigure({ name: '  service time mean', value: medianOf(ours, (e) => total(e).latencyUs.mean / 1000), unit: 'ms' });
      printFigure({
        name: '  schedule lag mean',
        value: medianOf(ours, (e) => e.run.figures.arrivals!.lagUs.mean / 1000),
        unit: 'ms',
        baseline: { name: 'pgbench schedule lag avg', value: medianOf(theirs, (p) => p.lagAvgMs ?? NaN) },
      });
      printFigure({
        name: '  schedule lag p99',
        value: medianOf(ours, (e) => e.run.figures.arrivals!.lagUs.p99 / 1000),
        unit: 'ms',
        goal: '< 1 ms',
      });
    } else {
      printFigure({
        name: '  rate',
        value: medianOf(ours, (e) => e.rate),
        unit: 'ops/s',
        baseline: { name: 'pgbench tps', value: medianOf(theirs, (p) => p.rate) },
      });
    }
  }
}
