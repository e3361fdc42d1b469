import { z } from 'zod';
import { UserError, errorMessage } from '../../errors.js';
import type { DatabaseProvider, Executable, Session, SqlDialect, VuContext } from '../../providers/types.js';
import { name, positiveInt } from '../../util/fields.js';
import { inTransaction } from '../sessions.js';
import { serialized } from '../serialized.js';
import { type BulkLoad, dialectSql, type LoadProgress, loadRows } from './load.js';

/**
 * pgbench's built-in workloads (`pgbench -b tpcb-like | simple-update | select-only`) on pgbench's
 * own tables, loaded as `pgbench -i -s N` loads them: the same rows, so a run here and a pgbench
 * run on the same database can be compared.
 */

export const TPCB_SCRIPTS = ['tpcb-like', 'simple-update', 'select-only'] as const;
export type TpcbScript = (typeof TPCB_SCRIPTS)[number];

/** The largest scale before pgbench switches aid to bigint; above it ids would not fit an int. */
const MAX_SCALE = 19_999;
const scale = positiveInt().max(MAX_SCALE, `must be at most ${MAX_SCALE}`);

export const tpcbOperationSchema = z.strictObject({
  name: name.optional(),
  weight: z.number().positive('must be a positive number').optional(),
  type: z.literal('tpcb'),
  script: z.enum(TPCB_SCRIPTS),
  scale,
});
export type TpcbOperation = z.infer<typeof tpcbOperationSchema>;

/** `workload: {builtin: tpcb, scale: N, scripts: [...]}` (scripts weighted as pgbench's `-b name@weight`). */
export const tpcbWorkloadSchema = z
  .strictObject({
    builtin: z.literal('tpcb'),
    scale: scale.optional(),
    /** One script, or several with weights: `{tpcb-like: 9, select-only: 1}`. */
    script: z.union([z.enum(TPCB_SCRIPTS), z.partialRecord(z.enum(TPCB_SCRIPTS), z.number().positive())]).optional(),
  })
  .transform(({ scale = 1, script = 'tpcb-like' }): TpcbOperation[] => {
    const weights: Partial<Record<TpcbScript, number>> = typeof script === 'string' ? { [script]: 1 } : script;
    return TPCB_SCRIPTS.filter((s) => weights[s] !== undefined).map((s) => ({
      name: s,
      weight: weights[s],
      type: 'tpcb',
      script: s,
      scale,
    }));
  });

// pgbench's row counts per unit of scale.
const BRANCHES = 1;
const TELLERS = 10;
const ACCOUNTS = 100_000;

interface Draw {
  aid: number;
  bid: number;
  tid: number;
  delta: number;
}

/** pgbench's `\set` lines: uniform over each range, from the VU's stream. */
function draw(random: () => number, scale: number): Draw {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  return { aid: int(1, ACCOUNTS * scale), bid: int(1, BRANCHES * scale), tid: int(1, TELLERS * scale), delta: int(-5000, 5000) };
}

function statements(d: SqlDialect): Record<'account' | 'balance' | 'teller' | 'branch' | 'history', string> {
  const p = (n: number): string => d.placeholder(n);
  return {
    account: `UPDATE pgbench_accounts SET abalance = abalance + ${p(1)} WHERE aid = ${p(2)}`,
    balance: `SELECT abalance FROM pgbench_accounts WHERE aid = ${p(1)}`,
    teller: `UPDATE pgbench_tellers SET tbalance = tbalance + ${p(1)} WHERE tid = ${p(2)}`,
    branch: `UPDATE pgbench_branches SET bbalance = bbalance + ${p(1)} WHERE bid = ${p(2)}`,
    history: `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, CURRENT_TIMESTAMP)`,
  };
}

/** One of pgbench's scripts as the call a VU makes: select-only autocommit, the others one transaction. */
export function compileTpcb(provider: DatabaseProvider, op: TpcbOperation): Executable {
  const sql = statements(provider.dialect);
  if (op.script === 'select-only') {
    let caller: VuContext | undefined;
    const run = provider.prepareQuery(sql.balance, () => [draw(caller!.random, op.scale).aid]);
    return (vu) => {
      caller = vu;
      return run(vu);
    };
  }
  const full = op.script === 'tpcb-like';
  const body = async (s: Session, { aid, bid, tid, delta }: Draw): Promise<void> => {
    await s.query(sql.account, [delta, aid]);
    await s.query(sql.balance, [aid]);
    if (full) {
      await s.query(sql.teller, [delta, tid]);
      await s.query(sql.branch, [delta, bid]);
    }
    await s.query(sql.history, [tid, bid, aid, delta]);
  };
  const sessions = provider.sessionProvider;
  const run = (vu: VuContext): Promise<void> => {
    const values = draw(vu.random, op.scale);
    return inTransaction(sessions, (s) => body(s, values));
  };
  return provider.dialect.oneConnectionPerHandle ? serialized(provider, run) : run;
}

const TABLES = ['pgbench_branches', 'pgbench_tellers', 'pgbench_accounts', 'pgbench_history'] as const;

/** pgbench -i's tables, without keys (added after the load); fillfactor 100 is PostgreSQL's default. */
const DDL: Record<(typeof TABLES)[number], string> = {
  pgbench_branches: 'CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88))',
  pgbench_tellers: 'CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84))',
  pgbench_accounts: 'CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84))',
  pgbench_history: 'CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))',
};

/** Keys after the load, as pgbench does; SQLite cannot add a primary key to a table, so it gets a unique index. */
const KEYS: Array<[table: string, column: string]> = [
  ['pgbench_branches', 'bid'],
  ['pgbench_tellers', 'tid'],
  ['pgbench_accounts', 'aid'],
];
function keySql(table: string, column: string): Record<string, string> {
  return {
    default: `ALTER TABLE ${table} ADD PRIMARY KEY (${column})`,
    sqlite: `CREATE UNIQUE INDEX ${table}_pkey ON ${table} (${column})`,
  };
}
const ANALYZE: Record<string, string> = {
  default: `ANALYZE TABLE ${TABLES.join(', ')}`,
  postgresql: `VACUUM ANALYZE ${TABLES.join(', ')}`,
  sqlite: 'ANALYZE',
};

/**
 * pgbench -i -s N: drop and create the four tables, load branches, tellers and accounts as pgbench
 * fills them (filler NULL for branches and tellers, '' for accounts; accounts' bid = (aid − 1) /
 * 100 000 + 1), then the keys, then statistics.
 */
export async function loadTpcb(provider: DatabaseProvider, scale: number, progress: LoadProgress, parallel: number): Promise<BulkLoad> {
  const d = provider.dialect;
  for (const table of [...TABLES].reverse()) await provider.execute(`DROP TABLE IF EXISTS ${table}`);
  for (const table of TABLES) await provider.execute(DDL[table]);
  const started = Date.now();
  let rows = 0;
  rows += await loadRows(provider, {
    table: 'pgbench_branches',
    columns: ['bid', 'bbalance', 'filler'],
    count: BRANCHES * scale,
    row: (i) => [i + 1, 0, null],
    generate: { postgresql: 'SELECT i, 0, NULL FROM generate_series($1::int, $2::int) AS i' },
    progress,
    parallel: 1,
  });
  rows += await loadRows(provider, {
    table: 'pgbench_tellers',
    columns: ['tid', 'bid', 'tbalance', 'filler'],
    count: TELLERS * scale,
    row: (i) => [i + 1, Math.floor(i / TELLERS) + 1, 0, null],
    generate: { postgresql: `SELECT i, (i - 1) / ${TELLERS} + 1, 0, NULL FROM generate_series($1::int, $2::int) AS i` },
    progress,
    parallel: 1,
  });
  rows += await loadRows(provider, {
    table: 'pgbench_accounts',
    columns: ['aid', 'bid', 'abalance', 'filler'],
    count: ACCOUNTS * scale,
    row: (i) => [i + 1, Math.floor(i / ACCOUNTS) + 1, 0, ''],
    generate: { postgresql: `SELECT i, (i - 1) / ${ACCOUNTS} + 1, 0, '' FROM generate_series($1::int, $2::int) AS i` },
    progress,
    parallel,
  });
  const loadedMs = Date.now() - started;
  for (const [table, column] of KEYS) await provider.execute(dialectSql(keySql(table, column), d));
  await provider.execute(dialectSql(ANALYZE, d));
  return { rows, loadMs: loadedMs, totalMs: Date.now() - started };
}

/** A run refuses to start on tables that `stampede init` has not loaded at the workload's scale. */
export async function requireTpcbTables(provider: DatabaseProvider, scale: number, initCommand: string): Promise<void> {
  let found: string;
  try {
    const [row] = await provider.execute('SELECT count(*) AS n FROM pgbench_branches');
    const branches = Number(row?.n);
    if (branches === BRANCHES * scale) return;
    found = `they hold scale ${branches}`;
  } catch (err) {
    found = `pgbench_branches cannot be read: ${errorMessage(err).split('\n')[0]}`;
  }
  throw new UserError(
    `provider "${provider.config.name}": pgbench tables are not initialised at scale ${scale} (${found}); run: ${initCommand}`,
  );
}

/** The sums the consistency check compares before and after a run. */
export interface TpcbSums {
  accounts: number;
  tellers: number;
  branches: number;
  history: number;
  historyRows: number;
}

export async function tpcbSums(provider: DatabaseProvider): Promise<TpcbSums> {
  const one = async (sql: string): Promise<number> => Number((await provider.execute(sql))[0]?.n ?? 0);
  return {
    accounts: await one('SELECT COALESCE(SUM(abalance), 0) AS n FROM pgbench_accounts'),
    tellers: await one('SELECT COALESCE(SUM(tbalance), 0) AS n FROM pgbench_tellers'),
    branches: await one('SELECT COALESCE(SUM(bbalance), 0) AS n FROM pgbench_branches'),
    history: await one('SELECT COALESCE(SUM(delta), 0) AS n FROM pgbench_history'),
    historyRows: await one('SELECT count(*) AS n FROM pgbench_history'),
  };
}

/** The TPC-B consistency check of a run, as the report carries it. */
export interface Consistency {
  ok: boolean;
  /** Change of SUM(pgbench_accounts.abalance) over the run. */
  accountsDelta: number;
  /** SUM(pgbench_history.delta) of the rows the run added. */
  historyDelta: number;
  /** Transactions that write history (tpcb-like, simple-update) the report counts ok. */
  transactionsOk: number;
  /** Rows the run added to pgbench_history. */
  historyRows: number;
  /** Transactions whose connection was lost mid-commit: each may or may not have committed. */
  inDoubt?: number;
  /** What does not add up, or why the sums could not be read. */
  error?: string;
}

/**
 * Every committed transaction moves the accounts' total by its delta and adds one history row
 * with that delta, and tpcb-like moves a teller's and a branch's total alike: so the accounts'
 * change equals the history's, the tellers' change equals the branches', and the history gained
 * as many rows as transactions the report counts ok (up to those in doubt).
 */
export function tpcbConsistency(
  before: TpcbSums,
  after: TpcbSums,
  counted: { ok: number; inDoubt: number; onlyTpcbLike: boolean },
): Consistency {
  const accountsDelta = after.accounts - before.accounts;
  const historyDelta = after.history - before.history;
  const historyRows = after.historyRows - before.historyRows;
  const tellersDelta = after.tellers - before.tellers;
  const branchesDelta = after.branches - before.branches;
  const problems: string[] = [];
  if (accountsDelta !== historyDelta) problems.push(`accounts moved by ${accountsDelta}, history by ${historyDelta}`);
  if (tellersDelta !== branchesDelta) problems.push(`tellers moved by ${tellersDelta}, branches by ${branchesDelta}`);
  if (counted.onlyTpcbLike && tellersDelta !== historyDelta) problems.push(`tellers moved by ${tellersDelta}, history by ${historyDelta}`);
  if (historyRows < counted.ok || historyRows > counted.ok + counted.inDoubt) {
    const range = counted.inDoubt > 0 ? `${counted.ok}–${counted.ok + counted.inDoubt}` : `${counted.ok}`;
    problems.push(`history gained ${historyRows} rows for ${range} transactions counted ok`);
  }
  return {
    ok: problems.length === 0,
    accountsDelta,
    historyDelta,
    transactionsOk: counted.ok,
    historyRows,
    ...(counted.inDoubt > 0 ? { inDoubt: counted.inDoubt } : {}),
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
  };
}
