import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import postgres from 'postgres';
import type { PgTarget } from './pg-target.js';
import type { Executable, Session } from './types.js';

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

/** What the providers need from a driver; the hot path (`prepareQuery`) returns the driver's own promise. */
export interface PgDriver {
  readonly name: PgDriverName;
  prepareQuery(sql: string, params: Params): Executable;
  execute(sql: string, params: readonly unknown[]): Promise<Row[]>;
  reserve(): Promise<Session & { release(): void }>;
  close(): Promise<void>;
}

export function openPgDriver(name: PgDriverName, s: PgDriverSettings): PgDriver {
  return name === 'pg' ? nodePostgres(s) : postgresJs(s);
}

const APPLICATION_NAME = 'stampede';

function nodePostgres(s: PgDriverSettings): PgDriver {
  const { target } = s;
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: s.ssl || false,
    max: s.poolSize,
    connectionTimeoutMillis: s.connectTimeoutMs,
    statement_timeout: s.statementTimeoutMs,
    application_name: target.params.application_name ?? APPLICATION_NAME,
    options: target.params.options,
    keepAlive: s.keepAliveSec !== undefined,
    keepAliveInitialDelayMillis: (s.keepAliveSec ?? 0) * 1000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  let statements = 0;
  return {
    name: 'pg',
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
      return (await pool.query(sql, params as unknown[])).rows;
    },
    async reserve() {
      const client = await pool.connect();
      return {
        query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
        release: () => client.release(),
      };
    },
    close: () => pool.end(),
  };
}

function postgresJs(s: PgDriverSettings): PgDriver {
  const { target } = s;
  const { application_name, ...connection } = target.params;
  const sql = postgres({
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
  });
  let opened = false;
  return {
    name: 'postgres',
    prepareQuery(text, params) {
      // postgres.js queries are lazy promises: the runtime's await sends them, pipelined on a busy connection.
      if (typeof params === 'function') return () => sql.unsafe(text, params() as never[]);
      const values = params as never[];
      return () => sql.unsafe(text, values);
    },
    async execute(text, params) {
      return [...(await sql.unsafe<Row[]>(text, params as never[]))];
    },
    async reserve() {
      // reserve() waits forever on a pool that has never connected: one round trip opens it first.
      if (!opened) await sql.unsafe('SELECT 1');
      opened = true;
      const reserved = await sql.reserve();
      return {
        query: async (text, params = []) => [...(await reserved.unsafe<Row[]>(text, params as never[]))],
        release: () => reserved.release(),
      };
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
