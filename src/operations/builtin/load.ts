import type { DatabaseProvider, SqlDialect } from '../../providers/types.js';
import { inTransaction } from '../sessions.js';

/** The statement for this dialect: its own when it needs one (keyed by its name), else `default`. */
export function dialectSql(byDialect: Record<string, string>, dialect: SqlDialect): string {
  return byDialect[dialect.name] ?? byDialect.default!;
}

/** Called as rows land: the table, rows loaded into it so far, and how many it will hold. */
export type LoadProgress = (table: string, done: number, total: number) => void;

export interface BulkLoad {
  rows: number;
  /** Time spent loading rows, without keys and statistics. */
  loadMs: number;
  totalMs: number;
}

export interface TableLoad {
  table: string;
  columns: string[];
  count: number;
  /** Row i (from 0), for a client-side load. */
  row: (i: number) => unknown[];
  /**
   * A SELECT over rows $1..$2 (1-based) that makes the same rows on the server, by dialect name:
   * nothing crosses the wire but the statement (pgbench -i's server-side generation, `-I G`).
   */
  generate?: Record<string, string>;
  progress: LoadProgress;
  /** Chunks loaded at once, each on a connection of its own. */
  parallel: number;
}

/** Rows a server-side chunk makes, and a client-side batch sends per statement and per transaction. */
const SERVER_CHUNK = 100_000;
const ROWS_PER_INSERT = 500;
const ROWS_PER_TRANSACTION = 20_000;

/**
 * Loads a table fast: generated on the server where the dialect can, else in multi-row INSERTs
 * batched into large transactions; several chunks at once when `parallel` > 1.
 */
export async function loadRows(provider: DatabaseProvider, load: TableLoad): Promise<number> {
  const generate = load.generate?.[provider.dialect.name];
  const chunk = generate ? SERVER_CHUNK : ROWS_PER_TRANSACTION;
  const chunks: Array<[from: number, to: number]> = [];
  for (let from = 0; from < load.count; from += chunk) chunks.push([from, Math.min(load.count, from + chunk)]);
  let done = 0;
  load.progress(load.table, 0, load.count);
  const insert = `INSERT INTO ${load.table} (${load.columns.join(', ')}) `;
  const one = async ([from, to]: [number, number]): Promise<void> => {
    if (generate) await provider.execute(insert + generate, [from + 1, to]);
    else await insertBatches(provider, insert, load, from, to);
    done += to - from;
    load.progress(load.table, done, load.count);
  };
  // One connection per chunk in flight; a driver with one connection per handle takes them in turn.
  const lanes = provider.dialect.oneConnectionPerHandle ? 1 : Math.max(1, load.parallel);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, chunks.length) }, async () => {
      while (next < chunks.length) await one(chunks[next++]!);
    }),
  );
  return load.count;
}

async function insertBatches(provider: DatabaseProvider, insert: string, load: TableLoad, from: number, to: number): Promise<void> {
  const d = provider.dialect;
  const width = load.columns.length;
  const statement = (rows: number): string => {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${load.columns.map((_, c) => d.placeholder(r * width + c + 1)).join(', ')})`);
    return `${insert}VALUES ${tuples.join(', ')}`;
  };
  const full = statement(ROWS_PER_INSERT);
  await inTransaction(provider.sessionProvider, async (session) => {
    for (let start = from; start < to; start += ROWS_PER_INSERT) {
      const end = Math.min(to, start + ROWS_PER_INSERT);
      const values: unknown[] = [];
      for (let i = start; i < end; i++) values.push(...load.row(i));
      await session.query(end - start === ROWS_PER_INSERT ? full : statement(end - start), values);
    }
  });
}
