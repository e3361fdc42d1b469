import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import postgres from 'postgres';
import type { PgTarget } from './pg-target.js';
import type { Executable } from './types.js';

type Row = Record<string, unknown>;
type Params = readonly unknown[] | (() => readonly unknown[]);

export type PgDriverName = 'pg' | 'postgres';
export const PG_DRIVERS: readonly PgDriverName[] = ['pg', 'postgres'];

/** How a PostgreSQL-family kind wants its driver set up; each kind decides these, the driver applies them. */
export interface PgDriverSettings {
  target: PgTarget;
  ssl: ConnectionOptions | false;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs?: number;
  /** Named (server-side) prepared statements: faster on a direct connection, broken through a transaction pooler. */
  prepare: boolean;
  /** TCP keepalive probe delay in seconds; undefined keeps the driver's default. */
  keepAliveSec?: number;
  /** postgres.js only: queries in flight on one connection. */
  maxPipeline?: number;
  /** postgres.js only: fetch array type OIDs on connect (one extra round trip per connection). */
  fetchTypes: boolean;
}

/** A transaction on a connection of its own, held from BEGIN until COMMIT or ROLLBACK. */
export interface PgTransaction {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  commit(): Promise<void>;
  /** Never throws: a transaction whose rollback fails loses its connection, and the server rolls it back. */
  rollback(): Promise<void>;
}

/** What the providers need from a driver; the hot path (`prepareQuery`) returns the driver's own promise. */
export interface PgDriver {
  prepareQuery(sql: string, params: Params): Executable;
  execute(sql: string, params: readonly unknown[]): Promise<Row[]>;
  begin(readOnly?: boolean): Promise<PgTransaction>;
  /** Opens a connection now (postgres.js is lazy: it takes one round trip). */
  open(): Promise<void>;
  /** Never waits on a server that stopped answering. */
  close(): Promise<void>;
}

export function openPgDriver(name: PgDriverName, s: PgDriverSettings): PgDriver {
  return name === 'pg' ? nodePostgres(s) : postgresJs(s);
}

const APPLICATION_NAME = 'stampede';

function nodePostgres(s: PgDriverSettings): PgDriver {
  const pool = nodePostgresPool(s);
  // Every open client, noted once per connection: a listener on 'acquire' and 'release' would
  // run twice per query on the hot path.
  const clients = new Set<pg.PoolClient>();
  pool.on('connect', (client) => clients.add(client));
  pool.on('remove', (client) => clients.delete(client));
  let statements = 0;
  return {
    prepareQuery(sql, params) {
      // A name makes node-postgres parse once per connection and reuse the statement.
      const name = s.prepare ? `stampede_${++statements}` : undefined;
      if (typeof params === 'function') {
        return name ? () => pool.query({ name, text: sql, values: params() as unknown[] }) : () => pool.query(sql, params() as unknown[]);
      }
      const values = params.length > 0 ? (params as unknown[]) : undefined;
      if (name) {
        const query = { name, text: sql, values };
        return () => pool.query(query);
      }
      return () => pool.query(sql, values);
    },
    async execute(sql, params) {
      return (await pool.query<Row>(sql, params as unknown[])).rows;
    },
    begin: async (readOnly = false) => nodePostgresTransaction(await pool.connect(), readOnly),
    async open() {
      (await pool.connect()).release();
    },
    async close() {
      const ended = pool.end();
      // pool.end() waits for every checked-out client; ending one with a query in flight destroys
      // its socket, so a server that stopped answering cannot hold the close. (An idle client the
      // pool is ending already is told twice, which is harmless.)
      for (const client of clients) void client.end().catch(() => {});
      await ended;
    },
  };
}

function nodePostgresPool(s: PgDriverSettings): pg.Pool {
  const { target } = s;
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: s.ssl || false,
    max: s.poolSize,
    // The pool is sized for the peak and opened before the start: a connection idle through a
    // quiet phase (or a VU's think time) stays open, so the next busy one pays no connection setup.
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: s.connectTimeoutMs,
    statement_timeout: s.statementTimeoutMs,
    application_name: target.params.application_name ?? APPLICATION_NAME,
    options: target.params.options,
    keepAlive: s.keepAliveSec !== undefined,
    keepAliveInitialDelayMillis: (s.keepAliveSec ?? 0) * 1000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', ignore);
  return pool;
}

/** BEGIN on a client checked out for it; the client goes back to the pool at COMMIT or ROLLBACK. */
async function nodePostgresTransaction(client: pg.PoolClient, readOnly: boolean): Promise<PgTransaction> {
  // The pool listens for errors on idle clients only: a checked-out one whose server goes away
  // would throw its 'error' event out of the process. Kept, it is what the next statement
  // fails with (57P01, ECONNRESET…) rather than "not queryable".
  let lost: { error: Error } | undefined;
  const onError = (error: Error): void => void (lost ??= { error });
  client.on('error', onError);
  let ended = false;
  // A client that failed is destroyed, never handed to the next caller mid-transaction.
  const release = (err?: unknown): void => {
    if (ended) return;
    ended = true;
    client.off('error', onError);
    client.release(err instanceof Error ? err : undefined);
  };
  const run = async (sql: string, params?: readonly unknown[]): Promise<Row[]> => {
    if (lost) throw lost.error;
    return (await client.query<Row>(sql, params as unknown[])).rows;
  };
  const finish = async (sql: string): Promise<void> => {
    if (ended) return;
    try {
      await run(sql);
      release();
    } catch (err) {
      release(err);
      throw err;
    }
  };
  try {
    await run(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  } catch (err) {
    release(err);
    throw err;
  }
  return { query: run, commit: () => finish('COMMIT'), rollback: () => finish('ROLLBACK').catch(ignore) };
}

function postgresJs(s: PgDriverSettings): PgDriver {
  let closes = 0;
  const sql = postgresJsClient(s, () => closes++);
  return {
    prepareQuery(text, params) {
      // unsafe() never names a statement and sends a query without parameters by the simple
      // protocol, whatever the client's `prepare`: a prepared kind asks for both per query.
      const options = s.prepare ? { prepare: true, simple: false } : {};
      // postgres.js queries are lazy promises: the runtime's await sends them, pipelined on a busy connection.
      if (typeof params === 'function') return () => sql.unsafe(text, params() as never[], options);
      const values = params as never[];
      return () => sql.unsafe(text, values, options);
    },
    async execute(text, params) {
      return [...(await sql.unsafe<Row[]>(text, params as never[]))];
    },
    begin: (readOnly = false) => postgresJsTransaction(sql, readOnly, () => closes),
    async open() {
      await sql.unsafe('SELECT 1');
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function postgresJsClient(s: PgDriverSettings, onclose: () => void): postgres.Sql {
  const { target } = s;
  const { application_name, ...connection } = target.params;
  return postgres({
    host: target.host,
    port: target.port,
    database: target.database,
    username: target.user,
    password: target.password,
    ssl: s.ssl || false,
    max: s.poolSize,
    connect_timeout: Math.max(1, Math.ceil(s.connectTimeoutMs / 1000)),
    prepare: s.prepare,
    fetch_types: s.fetchTypes,
    ...(s.keepAliveSec !== undefined ? { keep_alive: s.keepAliveSec } : {}),
    ...(s.maxPipeline !== undefined ? { max_pipeline: s.maxPipeline } : {}),
    connection: {
      ...connection,
      application_name: application_name ?? APPLICATION_NAME,
      ...(s.statementTimeoutMs !== undefined ? { statement_timeout: s.statementTimeoutMs } : {}),
    },
    onnotice: () => {},
    onclose,
  });
}

/**
 * A transaction held open inside `sql.begin()`'s callback until COMMIT or ROLLBACK is decided.
 * `closes` counts the client's closed connections so far.
 */
async function postgresJsTransaction(sql: postgres.Sql, readOnly: boolean, closes: () => number): Promise<PgTransaction> {
  // sql.begin(), never sql.reserve(): in 3.4.9 a reserve that has to open a connection with
  // fetch_types off, or whose awaited connection closes (a server restart), never settles
  // (porsager/postgres#751, #1195). begin() sends BEGIN as an ordinary query, which reconnects.
  let decide!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (decide = resolve));
  let opened!: (tx: postgres.TransactionSql) => void;
  const transaction = new Promise<postgres.TransactionSql>((resolve) => (opened = resolve));
  let lost: { error: unknown } | undefined;
  const done = sql.begin(readOnly ? 'read only' : '', async (tx) => {
    opened(tx);
    if (!(await decided)) throw ROLLBACK;
  });
  // Rejected at once when the connection closes, while nobody may be awaiting it yet.
  done.catch((error: unknown) => (lost ??= { error }));
  // A BEGIN that fails rejects `done` before the callback ever runs.
  const tx = await Promise.race([transaction, done.then(() => transaction)]);
  const closesAtBegin = closes();
  // A statement (or the ROLLBACK postgres.js sends) on a connection that has closed is
  // written to a null socket from a timer: an uncaught TypeError that kills the thread. After
  // any close, one macrotask lets this transaction's own loss, if it is one, arrive first.
  const alive = async (): Promise<void> => {
    if (closes() !== closesAtBegin && !lost) await new Promise((resolve) => setImmediate(resolve));
    if (lost) throw lost.error;
  };
  let finished: Promise<void> | undefined;
  const finish = (commit: boolean): Promise<void> =>
    (finished ??= alive().then(() => {
      decide(commit);
      return done.then(ignore, (err: unknown) => {
        if (err !== ROLLBACK) throw err;
      });
    }));
  return {
    query: async (text, params = []) => {
      await alive();
      return [...(await tx.unsafe<Row[]>(text, params as never[]))];
    },
    commit: () => finish(true),
    rollback: () => finish(false).catch(ignore),
  };
}

const ignore = (): void => {};
/** What a postgres.js transaction callback throws to roll back. */
const ROLLBACK = new Error('rollback requested');
