import pg from 'pg';
import postgres from 'postgres';
import { createProvider } from '../src/providers/index.js';
import type { Executable } from '../src/providers/types.js';
import { BENCH_PG_DSN as DSN, benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

const CALLERS = 8;
const ROUND_MS = benchSeconds(1) * 1000;
const ROUNDS = benchRepeats(5);
/** The provider layer adds nothing to a query: within noise of the driver. */
const OVERHEAD_GOAL = '>= 0.95';

/** Queries per second with CALLERS loops awaiting `call` back to back, as the engine's VUs do. */
async function rate(call: Executable): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ROUND_MS;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, id) => {
      const vu = { id, vus: CALLERS, random: Math.random, iteration: 0, state: {} };
      while (performance.now() < end) {
        await call(vu);
        n++;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

/** Rounds alternate between the two, so a neighbour's load drifts over both alike. */
async function interleaved(baseline: Executable, candidate: Executable): Promise<[number, number]> {
  await rate(baseline);
  await rate(candidate);
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await rate(baseline));
    c.push(await rate(candidate));
  }
  return [median(b), median(c)];
}

async function compare(
  label: string,
  kind: string,
  driver: 'pg' | 'postgres',
  options: Record<string, unknown> = {},
  goal?: string,
): Promise<void> {
  const p = createProvider({ name: kind, provider: kind, dsn: DSN, options: { driver, poolSize: CALLERS, ...options } });
  await p.initialize();
  const pool = new pg.Pool({ connectionString: DSN, max: CALLERS });
  const sql = postgres(DSN, { max: CALLERS, prepare: false, fetch_types: false, onnotice: () => {} });
  try {
    const direct: Executable = driver === 'pg' ? () => pool.query('SELECT 1') : () => sql.unsafe('SELECT 1');
    const [base, value] = await interleaved(direct, p.prepareQuery('SELECT 1', []));
    const name = driver === 'pg' ? 'pg Pool direct' : `postgres.js direct (max ${CALLERS}, prepare: false)`;
    printFigure({ name: label, value, unit: 'q/s', baseline: { name, value: base }, goal });
  } finally {
    await Promise.all([p.close(), pool.end(), sql.end()]);
  }
}

/**
 * The provider layer's cost on the hot path: each kind's compiled call against its driver used
 * directly, in alternating rounds (SELECT 1, 8 concurrent callers, one thread, medians of ROUNDS).
 */
export async function bench(): Promise<void> {
  section('hot path: provider vs its driver used directly');
  await compare('postgresql (driver pg)', 'postgresql', 'pg', {}, OVERHEAD_GOAL);
  await compare('postgresql_optimized (driver pg)', 'postgresql_optimized', 'pg', {}, OVERHEAD_GOAL);
  await compare(
    'postgresql_optimized (driver postgres, pipeline: false)',
    'postgresql_optimized',
    'postgres',
    { pipeline: false },
    OVERHEAD_GOAL,
  );
  section('pipelining: one connection carrying every caller vs one connection per caller');
  await compare('postgresql_optimized (driver postgres, pipelined)', 'postgresql_optimized', 'postgres');
}
