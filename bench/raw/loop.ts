/**
 * A raw baseline loop, run in a worker thread as the engine's VUs are: the fastest correct driver
 * call for the statement, each timed with hrtime and recorded into the engine's own WASM HDR
 * histogram (same unit), and nothing else. Protocol: 'ready' once connected, then waits for
 * 'go'; 'done' with its count, then waits for 'close' (the main thread reads the server's CPU
 * while the connections are still open).
 */
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import postgres from 'postgres';
import { initHistograms, newHistogram, recordedFromNs } from '../../src/metrics/histogram.js';

export interface RawLoopData {
  /** `postgres`: unnamed statements, as `postgresql_optimized` sends; `postgres-prepared`: named ones. */
  kind: 'sqlite' | 'pg' | 'postgres' | 'postgres-prepared';
  ms: number;
  /** Concurrent callers (pg, postgres); SQLite's loop is synchronous, one per thread. */
  callers: number;
  dsn?: string;
}

export type RawLoopMessage = { type: 'ready' } | { type: 'done'; ops: number; seconds: number };

const data = workerData as RawLoopData;
const port = parentPort!;
await initHistograms();
const h = newHistogram();

/** Calls `query` back to back from `callers` loops until the time is up; returns the count. */
async function loops(query: () => Promise<unknown>, end: number): Promise<number> {
  let n = 0;
  await Promise.all(
    Array.from({ length: data.callers }, async () => {
      while (performance.now() < end) {
        const t0 = process.hrtime.bigint();
        await query();
        h.recordValue(recordedFromNs(process.hrtime.bigint() - t0));
        n++;
      }
    }),
  );
  return n;
}

function sqliteLoop(end: number): number {
  // raw(): the row as an array, without building an object keyed by column name (the whole row
  // still comes back, as it must for a general statement; pluck() would drop columns).
  const stmt = new Database(':memory:').prepare('SELECT 1').raw(true);
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const t0 = process.hrtime.bigint();
      stmt.get();
      h.recordValue(recordedFromNs(process.hrtime.bigint() - t0));
    }
    n += 1000;
  }
  return n;
}

async function measure(run: (end: number) => number | Promise<number>, close: () => Promise<void>): Promise<void> {
  port.postMessage({ type: 'ready' } satisfies RawLoopMessage);
  await once(port, 'message');
  const t0 = performance.now();
  const ops = await run(t0 + data.ms);
  port.postMessage({ type: 'done', ops, seconds: (performance.now() - t0) / 1000 } satisfies RawLoopMessage);
  await once(port, 'message');
  await close();
  h.destroy();
  port.close();
}

if (data.kind === 'sqlite') {
  await measure(sqliteLoop, async () => {});
} else if (data.kind === 'pg') {
  // Pool.query with the text alone: the simple protocol, one round trip, as the engine sends it.
  // No idle timer: a timer set and cleared on every release is the pool's cost, not the query's.
  const pool = new pg.Pool({ connectionString: data.dsn, max: data.callers, idleTimeoutMillis: 0 });
  await Promise.all(Array.from({ length: data.callers }, () => pool.query('SELECT 1')));
  await measure(
    (end) => loops(() => pool.query('SELECT 1'), end),
    () => pool.end(),
  );
} else {
  // One connection carrying every caller's queries (pipelined).
  const sql = postgres(data.dsn!, { max: 1, fetch_types: false, prepare: data.kind === 'postgres-prepared', onnotice: () => {} });
  await sql`SELECT 1`;
  await measure(
    (end) => loops(() => sql`SELECT 1`, end),
    () => sql.end({ timeout: 5 }),
  );
}
