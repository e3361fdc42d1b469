import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { parseScenario } from '../src/config/load.js';
import { runPlan } from '../src/engine/engine.js';
import { silentLogger } from '../src/log.js';
import { builtinData } from '../src/operations/builtin/index.js';
import { buildPlan } from '../src/plan/plan.js';
import { createProvider } from '../src/providers/index.js';
import { BENCH_PG_DSN, benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

const SECONDS = benchSeconds(5);
const REPEATS = benchRepeats(1);
const SCALE = 10;
const DATABASE = 'stampede_bench_workloads';

/** The bench's own database on the server BENCH_PG_DSN names, made afresh. */
async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: BENCH_PG_DSN });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(BENCH_PG_DSN);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** pgbench against the bench database: its output, and the CPU seconds it used (bash's `times`). */
function pgbench(dsn: string, args: string[]): { out: string; cpuSec: number; wallSec: number } {
  const t0 = performance.now();
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `pgbench ${quoted} '${dsn}' 2>&1; times`], { encoding: 'utf8' });
  const wallSec = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`pgbench ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  // `times` prints the shell's own, then its children's user and system time: "0m1.234s 0m0.567s".
  const children = r.stdout.trim().split('\n').at(-1)!;
  const cpuSec = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
  return { out: r.stdout, cpuSec, wallSec };
}

/** Stampede's engine on a scenario: operations ok a second and client CPU µs per operation (every thread). */
async function engineRun(yaml: string, workers: number): Promise<{ rate: number; cpuUsPerOp: number }> {
  const plan = buildPlan({ scenario: parseScenario(yaml, 'bench'), file: 'bench', baseDir: process.cwd() }, { workers });
  const cpu = process.cpuUsage();
  const result = await runPlan(plan, { logger: silentLogger() });
  const used = process.cpuUsage(cpu);
  const run = result.providers[0]!;
  const ok = run.figures.total.ok;
  return { rate: ok / (run.activeMs / 1000), cpuUsPerOp: (used.user + used.system) / ok };
}

const tpcbScenario = (dsn: string): string => `providers:
  - {name: bench, provider: postgresql, dsn: '${dsn}'}
workload: {builtin: tpcb, scale: ${SCALE}}
profile: {type: constant-vus, vus: 8, duration: ${SECONDS}s}
`;

const selectScenario = (dsn: string, param: string): string => `providers:
  - {name: bench, provider: postgresql, dsn: '${dsn}'}
workload:
  - {type: query, sql: 'SELECT $1::int', params: [${param}]}
profile: {type: constant-vus, vus: 8, duration: ${SECONDS}s}
`;

/** `stampede init` (load, keys, statistics) against `pgbench -i`, same scale, same database. */
async function initRates(dsn: string): Promise<void> {
  const ours: number[] = [];
  const theirs: number[] = [];
  const rows = 100_000 * SCALE + 10 * SCALE + SCALE;
  for (let r = 0; r < REPEATS; r++) {
    theirs.push(rows / pgbench(dsn, ['-i', '-q', '-s', String(SCALE)]).wallSec);
    const provider = createProvider({ name: 'bench', provider: 'postgresql', dsn, options: { poolSize: 2 } });
    await provider.initialize();
    try {
      const t0 = performance.now();
      await builtinData(parseScenario(tpcbScenario(dsn), 'bench').workload)!.load(provider, () => {}, 2);
      ours.push(rows / ((performance.now() - t0) / 1000));
    } finally {
      await provider.close();
    }
  }
  printFigure({
    name: `stampede init, scale ${SCALE} (load + keys + statistics)`,
    value: median(ours),
    unit: 'rows/s',
    baseline: { name: 'pgbench -i', value: median(theirs) },
    goal: '>= 1.0',
  });
}

async function tpcbRates(dsn: string): Promise<void> {
  for (const mode of ['prepared', 'extended']) {
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const theirs: number[] = [];
    const theirsCpu: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const run = pgbench(dsn, ['-n', '-c', '8', '-j', '2', '-M', mode, '-T', String(SECONDS)]);
      const tps = Number(/tps = ([\d.]+)/.exec(run.out)?.[1]);
      const txns = Number(/number of transactions actually processed: (\d+)/.exec(run.out)?.[1]);
      theirs.push(tps);
      theirsCpu.push((run.cpuSec * 1e6) / txns);
      const engine = await engineRun(tpcbScenario(dsn), 2);
      ours.push(engine.rate);
      oursCpu.push(engine.cpuUsPerOp);
    }
    printFigure({
      name: `TPC-B scale ${SCALE}, 8 VUs on 2 workers`,
      value: median(ours),
      unit: 'tps',
      baseline: { name: `pgbench -c 8 -j 2 -M ${mode}`, value: median(theirs) },
      goal: '>= 0.8',
    });
    printFigure({
      name: 'client CPU per transaction',
      value: median(oursCpu),
      unit: 'µs',
      baseline: { name: `pgbench -M ${mode}`, value: median(theirsCpu) },
    });
  }
}

async function paramCost(dsn: string): Promise<void> {
  const generated: number[] = [];
  const fixed: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    fixed.push((await engineRun(selectScenario(dsn, '42'), 2)).rate);
    generated.push((await engineRun(selectScenario(dsn, '{int: [1, 100000]}'), 2)).rate);
  }
  printFigure({
    name: 'SELECT $1 with {int: [1, 100000]}',
    value: median(generated),
    unit: 'ops/s',
    baseline: { name: 'a fixed parameter', value: median(fixed) },
    goal: '>= 0.97',
  });
}

export async function bench(): Promise<void> {
  section(`workloads: TPC-B and init vs pgbench, generated parameters (runs: ${SECONDS} s, ${REPEATS} repeat(s))`);
  const dsn = await freshDatabase();
  try {
    await initRates(dsn);
    await tpcbRates(dsn);
    await paramCost(dsn);
  } finally {
    const admin = new pg.Client({ connectionString: BENCH_PG_DSN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).finally(() => admin.end());
  }
}
