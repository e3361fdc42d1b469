import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseScenario } from '../src/config/load.js';
import { runPlan } from '../src/engine/engine.js';
import { silentLogger } from '../src/log.js';
import { buildPlan } from '../src/plan/plan.js';
import { BENCH_PG_DSN as PG_DSN, benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

const SECONDS = benchSeconds(5);
const REPEATS = benchRepeats(3);

/** Ops/s of the engine on one provider, SELECT 1, `vus` VUs over `workers` worker threads. */
async function engineRate(provider: string, dsn: string | undefined, vus: number, workers: number): Promise<number> {
  const yaml = `providers:
  - name: bench
    provider: ${provider}
${dsn ? `    dsn: ${dsn}\n` : ''}workload:
  - type: query
    sql: SELECT 1
profile: { type: constant-vus, vus: ${vus}, duration: ${SECONDS}s }
`;
  const plan = buildPlan({ scenario: parseScenario(yaml, 'bench'), file: 'bench', baseDir: process.cwd() }, { workers });
  const result = await runPlan(plan, { logger: silentLogger() });
  const run = result.providers[0]!;
  return run.figures.total.ok / ((run.endedAt - run.startedAt) / 1000);
}

/**
 * The raw baselines run in a worker thread, as the engine's VUs do, with the same driver call the
 * engine makes (better-sqlite3 `all()` for a reader, pg `Pool.query`), timed with hrtime and
 * recorded into a WASM HDR histogram per op.
 */
const RAW_SQLITE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const hdr = require('hdr-histogram-js');
hdr.initWebAssembly().then(() => {
  const h = hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 3600000000, numberOfSignificantValueDigits: 3 });
  const stmt = new Database(':memory:').prepare('SELECT 1');
  const end = Date.now() + workerData.ms;
  let n = 0;
  const t = process.hrtime.bigint();
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const t0 = process.hrtime.bigint();
      stmt.all();
      h.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
    }
    n += 1000;
  }
  parentPort.postMessage(n / (Number(process.hrtime.bigint() - t) / 1e9));
});`;

const RAW_PG = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require('pg');
const hdr = require('hdr-histogram-js');
hdr.initWebAssembly().then(async () => {
  const h = hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 3600000000, numberOfSignificantValueDigits: 3 });
  const pool = new pg.Pool({ connectionString: workerData.dsn, max: workerData.callers });
  await Promise.all(Array.from({ length: workerData.callers }, () => pool.query('SELECT 1')));
  const end = Date.now() + workerData.ms;
  let n = 0;
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: workerData.callers }, async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      await pool.query('SELECT 1');
      h.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
      n++;
    }
  }));
  parentPort.postMessage(n / (Number(process.hrtime.bigint() - t) / 1e9));
  await pool.end();
});`;

function rawRate(source: string, data: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { ms: SECONDS * 1000, ...data } });
    w.once('message', (rate: number) => resolve(rate));
    w.once('error', reject);
  });
}

/** pgbench -M extended -c 8 -j 2 with a custom script `SELECT 1`; tps without initial connection time. */
function pgbenchRate(clients: number): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-'));
  const script = join(dir, 'select1.sql');
  writeFileSync(script, 'SELECT 1;\n');
  const url = new URL(PG_DSN);
  const r = spawnSync(
    'pgbench',
    [
      '-n',
      '-M',
      'extended',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(SECONDS),
      '-f',
      script,
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      decodeURIComponent(url.username) || 'postgres',
      url.pathname.slice(1) || 'postgres',
    ],
    { encoding: 'utf8' },
  );
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** Alternates candidate and baseline REPEATS times so drift hits both; returns the medians. */
async function paired(candidate: () => Promise<number>, baseline: () => Promise<number>): Promise<[number, number]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    b.push(await baseline());
    a.push(await candidate());
  }
  return [median(a), median(b)];
}

export async function bench(): Promise<void> {
  process.stdout.write(`(${SECONDS} s per measurement, median of ${REPEATS}, candidate and baseline alternated)\n`);

  section('SQLite :memory: SELECT 1, 1 worker, 1 VU');
  const [engine1, raw] = await paired(
    () => engineRate('sqlite_memory', undefined, 1, 1),
    () => rawRate(RAW_SQLITE, {}),
  );
  printFigure({
    name: 'engine',
    value: engine1,
    unit: 'ops/s',
    baseline: { name: 'raw timed better-sqlite3 loop', value: raw },
    goal: '>= 0.90',
  });

  section('SQLite :memory: SELECT 1, 2 workers × 1 VU vs 1 worker × 1 VU');
  const [engine2, engine1b] = await paired(
    () => engineRate('sqlite_memory', undefined, 2, 2),
    () => engineRate('sqlite_memory', undefined, 1, 1),
  );
  printFigure({
    name: 'engine, 2 workers',
    value: engine2,
    unit: 'ops/s',
    baseline: { name: 'engine, 1 worker', value: engine1b },
    goal: '>= 1.9',
  });

  section('PostgreSQL SELECT 1, 8 connections (1 worker, 8 VUs)');
  const [enginePg, rawPg] = await paired(
    () => engineRate('postgresql', PG_DSN, 8, 1),
    () => rawRate(RAW_PG, { dsn: PG_DSN, callers: 8 }),
  );
  printFigure({
    name: 'engine',
    value: enginePg,
    unit: 'ops/s',
    baseline: { name: 'raw node-postgres Pool, 8 callers', value: rawPg },
    goal: '>= 0.95',
  });
  const pgbench = pgbenchRate(8);
  if (pgbench)
    printFigure({ name: 'engine', value: enginePg, unit: 'ops/s', baseline: { name: 'pgbench -M extended -c 8 -j 2', value: pgbench } });
  else process.stdout.write('  pgbench: not available\n');
}
