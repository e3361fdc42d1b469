import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { parseScenario } from '../src/config/load.js';
import { runPlan } from '../src/engine/engine.js';
import { silentLogger } from '../src/log.js';
import { buildPlan } from '../src/plan/plan.js';
import { sideBySide } from '../src/cli/side-by-side.js';
import { buildReport } from '../src/report/build.js';
import { BENCH_PG_DSN, benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

const run = promisify(execFile);
const SECONDS = Math.max(1, Math.round(benchSeconds(5)));
const REPEATS = benchRepeats(3);
const THREADS = 8;
const WORKERS = 2;
const ROWS = 10_000;
/** sysbench's table, in a database of the bench's own on each server. */
const DATABASE = 'stampede_bench';
const TABLE = 'sbtest1';
/**
 * A fixed key: the engine's parameters are constants today, where sysbench draws a uniform one per
 * query. The table is in the buffer pool either way, so both are one B-tree descent from memory.
 */
const KEY = ROWS / 2;

const MYSQL_URL = new URL(process.env.BENCH_MYSQL_DSN ?? 'mysql://root@127.0.0.1:3306/test');
const mysqlAt = (database: string): string => {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  return url.href;
};
const pgAt = (database: string): string => {
  const url = new URL(BENCH_PG_DSN);
  url.pathname = `/${database}`;
  return url.href;
};

function sysbenchArgs(driver: 'mysql' | 'pgsql'): string[] {
  const common = ['oltp_point_select', `--tables=1`, `--table-size=${ROWS}`, `--threads=${THREADS}`];
  if (driver === 'mysql') {
    return [
      ...common,
      '--db-driver=mysql',
      `--mysql-host=${MYSQL_URL.hostname}`,
      `--mysql-port=${MYSQL_URL.port || 3306}`,
      `--mysql-user=${decodeURIComponent(MYSQL_URL.username) || 'root'}`,
      ...(MYSQL_URL.password ? [`--mysql-password=${decodeURIComponent(MYSQL_URL.password)}`] : []),
      `--mysql-db=${DATABASE}`,
    ];
  }
  const url = new URL(BENCH_PG_DSN);
  return [
    ...common,
    '--db-driver=pgsql',
    `--pgsql-host=${url.hostname}`,
    `--pgsql-port=${url.port || 5432}`,
    `--pgsql-user=${decodeURIComponent(url.username) || 'postgres'}`,
    ...(url.password ? [`--pgsql-password=${decodeURIComponent(url.password)}`] : []),
    `--pgsql-db=${DATABASE}`,
  ];
}

/** A fresh bench database with sysbench's table on both servers. */
async function prepare(): Promise<void> {
  const my = await mysql.createConnection(mysqlAt(''));
  try {
    await my.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
    await my.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await my.end();
  }
  const client = new pg.Client({ connectionString: BENCH_PG_DSN });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  await run('sysbench', [...sysbenchArgs('mysql'), 'prepare']);
  await run('sysbench', [...sysbenchArgs('pgsql'), 'prepare']);
}

async function cleanup(): Promise<void> {
  const my = await mysql.createConnection(mysqlAt(''));
  await my.query(`DROP DATABASE IF EXISTS ${DATABASE}`).finally(() => my.end());
  const client = new pg.Client({ connectionString: BENCH_PG_DSN });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).finally(() => client.end());
}

/**
 * mysql2 used directly, 8 callers awaiting `execute` back to back on one pool in this thread: what
 * the driver allows before any engine, to tell the engine's cost from Node's and mysql2's.
 */
async function driverRate(): Promise<number> {
  const pool = mysql.createPool({ uri: mysqlAt(DATABASE), connectionLimit: THREADS });
  try {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: THREADS }, async () => {
        while (performance.now() < end) {
          await pool.execute(POINT_SELECT.mysql, [KEY]);
          n++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await pool.end();
  }
}

/** sysbench oltp_point_select: queries per second (one point select per event, prepared statements). */
async function sysbenchRate(): Promise<number> {
  const { stdout } = await run('sysbench', [...sysbenchArgs('mysql'), `--time=${SECONDS}`, 'run']);
  const qps = /queries:\s+\d+\s+\(([\d.]+) per sec\.\)/.exec(stdout)?.[1];
  if (!qps) throw new Error(`sysbench printed no query rate:\n${stdout}`);
  return Number(qps);
}

const POINT_SELECT = {
  mysql: `SELECT c FROM ${TABLE} WHERE id = ?`,
  postgresql: `SELECT c FROM ${TABLE} WHERE id = $1`,
};

function scenario(providers: string): string {
  return `providers:
${providers}workload:
  - name: point_select
    type: query
    sql: { postgresql: "${POINT_SELECT.postgresql}", mysql: "${POINT_SELECT.mysql}" }
    params: [${KEY}]
profile: { type: constant-vus, vus: ${THREADS}, duration: ${SECONDS}s }
`;
}

const MARIADB = `  - { name: mariadb, provider: mariadb, dsn: "${mysqlAt(DATABASE)}" }\n`;
const POSTGRESQL = `  - { name: postgresql, provider: postgresql, dsn: "${pgAt(DATABASE)}" }\n`;

async function stampede(providers: string) {
  const plan = buildPlan(
    { scenario: parseScenario(scenario(providers), 'bench'), file: 'bench', baseDir: process.cwd() },
    { workers: WORKERS },
  );
  return buildReport(await runPlan(plan, { logger: silentLogger() }));
}

/**
 * Point select by primary key, 8 connections: Stampede's mariadb kind (2 workers, execute) against
 * sysbench oltp_point_select --threads=8 on the same table, in alternating rounds; then one
 * Stampede scenario on MariaDB and PostgreSQL side by side, with the report's verdict.
 */
export async function bench(): Promise<void> {
  await prepare();
  try {
    section(`point select by primary key, ${THREADS} connections: Stampede (${WORKERS} workers) vs sysbench`);
    const ours: number[] = [];
    const theirs: number[] = [];
    const driver: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const report = await stampede(MARIADB);
      ours.push(report.providers[0]!.total.opsPerSec);
      theirs.push(await sysbenchRate());
      driver.push(await driverRate());
    }
    printFigure({
      name: `mariadb kind, execute, ${THREADS} VUs over ${WORKERS} workers`,
      value: median(ours),
      unit: 'q/s',
      baseline: { name: `sysbench oltp_point_select --threads=${THREADS}`, value: median(theirs) },
      goal: '>= 0.8',
    });
    printFigure({
      name: `mysql2 execute direct, ${THREADS} callers, 1 thread`,
      value: median(driver),
      unit: 'q/s',
      baseline: { name: `sysbench oltp_point_select --threads=${THREADS}`, value: median(theirs) },
    });

    section('the same scenario on MariaDB and PostgreSQL (same table, same rows, same key)');
    const report = await stampede(MARIADB + POSTGRESQL);
    const rate = (name: string): number => report.providers.find((p) => p.name === name)!.total.opsPerSec;
    printFigure({ name: 'MariaDB', value: rate('mariadb'), unit: 'q/s', baseline: { name: 'PostgreSQL', value: rate('postgresql') } });
    for (const c of sideBySide(report)) {
      const verdicts = c.differences.map((d) => `${d.provider}: ${d.verdict}`);
      process.stdout.write(`  ${c.test} ${c.metric}: best ${c.best}, winner ${c.winner ?? 'none significant'}; ${verdicts.join('; ')}\n`);
    }
  } finally {
    await cleanup();
  }
}
