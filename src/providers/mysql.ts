import mysql, { type ExecuteValues, type Pool, type QueryOptions } from 'mysql2/promise';
import { z } from 'zod';
import type { ProviderConfig } from './config.js';
import { UserError } from '../errors.js';
import { redact } from '../util/secrets.js';
import { check, problemLine } from '../util/issues.js';
import { mysqlDialect } from './dialects/mysql.js';
import { MysqlMetricsReader } from './mysql-metrics.js';
import { MysqlSessionProvider, rowsOf } from './mysql-sessions.js';
import { type MysqlTarget, type MysqlTls, explainMysqlConnectError, mysqlTarget, mysqlTls } from './mysql-target.js';
import { registerProvider } from './registry.js';
import type { ConnectionInfo, DatabaseProvider, Executable, OneShotConnection, PerformanceMetrics, SessionProvider } from './types.js';

type Row = Record<string, unknown>;
type Params = readonly unknown[] | (() => readonly unknown[]);
type Values = ExecuteValues[];

const count = z.coerce.number().int().positive();
/** The options every MySQL-family kind accepts (`poolSize` is set by the engine per worker). */
const mysqlOptionsSchema = z.strictObject({
  poolSize: count.optional(),
  connectTimeoutMs: count.optional(),
  /** mysql2's per-statement timeout: the statement fails (PROTOCOL_SEQUENCE_TIMEOUT) and its connection is closed. */
  statementTimeoutMs: count.optional(),
  /** true: `execute`, server-side prepared statements (binary protocol); false: `query`, the text protocol. */
  prepare: z.boolean().optional(),
  /** TCP keepalive probe delay in seconds (0 turns keepalive off). */
  keepAliveSec: z.coerce.number().int().min(0).optional(),
});
type MysqlOptions = z.infer<typeof mysqlOptionsSchema>;

function parseOptions(config: ProviderConfig): MysqlOptions {
  const parsed = check(mysqlOptionsSchema, config.options ?? {}, ['options']);
  if (parsed.success) return parsed.data;
  const { problem } = parsed;
  const known = problem.message === 'unknown field' ? ` (known: ${Object.keys(mysqlOptionsSchema.shape).join(', ')})` : '';
  throw new UserError(problemLine(`provider "${config.name}"`, problem) + known);
}

/** MySQL and MariaDB over mysql2: one pool per instance, both protocols, TLS in the MySQL client's ssl-modes. */
abstract class MysqlFamilyProvider implements DatabaseProvider {
  abstract readonly providerName: string;
  readonly dialect = mysqlDialect;
  readonly sharedAcrossInstances = true;
  readonly sessionProvider: SessionProvider;
  private readonly target: MysqlTarget;
  private readonly options: MysqlOptions;
  private readonly prepare: boolean;
  private readonly tls: MysqlTls | undefined;
  private pool: Pool | undefined;
  private metrics: MysqlMetricsReader | undefined;

  constructor(readonly config: ProviderConfig) {
    this.target = mysqlTarget(config);
    this.options = parseOptions(config);
    // The binary protocol by default, as sysbench and most applications use it.
    this.prepare = this.options.prepare ?? true;
    this.tls = mysqlTls(this.target, config.name);
    this.sessionProvider = new MysqlSessionProvider(() => this.connected, this.prepare);
  }

  private get connected(): Pool {
    if (!this.pool) throw new Error(`provider "${this.config.name}" is not initialized`);
    return this.pool;
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 5000;
  }

  private open(poolSize: number): Pool {
    const t = this.target;
    const keepAliveSec = this.options.keepAliveSec;
    const pool = mysql.createPool({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password,
      database: t.database,
      ...(this.tls ? { ssl: this.tls } : {}),
      connectionLimit: poolSize,
      // Sized for the peak and opened before the start, like the PostgreSQL pools: no idle close.
      maxIdle: poolSize,
      idleTimeout: 0,
      connectTimeout: this.connectTimeoutMs,
      enableKeepAlive: keepAliveSec !== 0,
      keepAliveInitialDelay: (keepAliveSec ?? 0) * 1000,
      // A count(*) or an id comes back as a number, whatever the protocol.
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectAttributes: { program_name: 'stampede' },
    });
    // An idle connection losing its server must not crash the process; the next statement reports it.
    pool.pool.on('error', () => {});
    return pool;
  }

  async initialize(): Promise<void> {
    if (this.pool) return;
    this.pool = this.open(this.options.poolSize ?? 10);
    this.metrics = new MysqlMetricsReader(async (sql) => rowsOf((await this.connected.query(sql))[0]));
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async healthCheck(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), this.connectTimeoutMs);
      });
      await Promise.race([this.ping(), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** COM_PING, which no statement counter counts: the workers' warm-up stays out of the server check. */
  private async ping(): Promise<void> {
    const connection = await this.connected.getConnection();
    try {
      await connection.ping();
    } finally {
      connection.release();
    }
  }

  getConnectionInfo(): ConnectionInfo {
    return {
      name: this.config.name,
      provider: this.providerName,
      driver: 'mysql2',
      dsn: redact(this.config.dsn ?? ''),
      sslMode: this.target.sslMode,
      ...(this.target.sslCa ? { sslCa: this.target.sslCa } : {}),
      protocol: this.prepare ? 'binary (execute, server-side prepared)' : 'text (query)',
      keepAliveSec: this.options.keepAliveSec ?? 0,
    };
  }

  getPerformanceMetrics(): Promise<PerformanceMetrics> {
    if (!this.metrics) throw new Error(`provider "${this.config.name}" is not initialized`);
    return this.metrics.read();
  }

  prepareQuery(sql: string, params: Params): Executable {
    const pool = this.connected;
    const timeout = this.options.statementTimeoutMs;
    // One object reused by every call: mysql2 copies it.
    const statement: QueryOptions = timeout ? { sql, timeout } : { sql };
    const send = this.prepare
      ? (values?: Values): Promise<unknown> => pool.execute(statement, values)
      : (values?: Values): Promise<unknown> => pool.query(statement, values);
    if (typeof params === 'function') return () => send(params() as Values);
    const values = params.length > 0 ? (params as Values) : undefined;
    return () => send(values);
  }

  /** A connection of its own, opened now, for connect-time tests. */
  async connectOnce(): Promise<OneShotConnection> {
    const t = this.target;
    try {
      const connection = await mysql.createConnection({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        database: t.database,
        ...(this.tls ? { ssl: this.tls } : {}),
        connectTimeout: this.connectTimeoutMs,
      });
      connection.on('error', () => {});
      return {
        query: async (sql, params = []) =>
          rowsOf((this.prepare ? await connection.execute(sql, params as Values) : await connection.query(sql, params as Values))[0]),
        close: () => connection.end(),
      };
    } catch (err) {
      throw explainMysqlConnectError(err, t);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return rowsOf((await this.connected.query(sql, params as Values))[0]);
    } catch (err) {
      throw explainMysqlConnectError(err, this.target);
    }
  }
}

export class MysqlProvider extends MysqlFamilyProvider {
  readonly providerName: string = 'mysql';
}

/** The same driver and dialect: a kind of its own so a report says which server family it measured. */
export class MariadbProvider extends MysqlFamilyProvider {
  readonly providerName: string = 'mariadb';
}

registerProvider('mysql', MysqlProvider);
registerProvider('mariadb', MariadbProvider);
