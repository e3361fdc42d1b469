import pg from 'pg';
import type { ProviderConfig } from '../config/schema.js';
import { redact } from '../config/redact.js';
import { registerProvider } from './registry.js';
import type { ConnectionInfo, DatabaseProvider, Executable, OneShotConnection, Session, SessionProvider } from './types.js';

type Row = Record<string, unknown>;
type Params = readonly unknown[] | (() => readonly unknown[]);

/** The plain PostgreSQL provider: a node-postgres Pool, one connection per VU by default. */
export class PostgresqlProvider implements DatabaseProvider {
  readonly providerName: string = 'postgresql';
  readonly dialect = 'postgresql' as const;
  readonly sharedAcrossInstances = true;
  readonly sessionProvider: SessionProvider;
  private pool: pg.Pool | undefined;

  constructor(readonly config: ProviderConfig) {
    this.sessionProvider = new PgSessionProvider(() => this.connectedPool);
  }

  protected poolConfig(): pg.PoolConfig {
    const o = this.config.options ?? {};
    return {
      connectionString: this.config.dsn,
      max: Number(o.poolSize ?? 10),
      connectionTimeoutMillis: Number(o.connectTimeoutMs ?? 5000),
      statement_timeout: o.statementTimeoutMs === undefined ? undefined : Number(o.statementTimeoutMs),
      application_name: 'stampede',
    };
  }

  private get connectedPool(): pg.Pool {
    if (!this.pool) throw new Error(`provider "${this.config.name}" is not initialized`);
    return this.pool;
  }

  async initialize(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool(this.poolConfig());
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    this.pool = pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async healthCheck(): Promise<boolean> {
    try {
      await this.connectedPool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  getConnectionInfo(): ConnectionInfo {
    const info: ConnectionInfo = { name: this.config.name, provider: this.providerName, driver: 'pg' };
    if (this.config.dsn) info.dsn = redact(this.config.dsn);
    return info;
  }

  async getPerformanceMetrics(): Promise<Record<string, unknown>> {
    const [row] = await this.execute('SELECT version() AS version, current_setting($1) AS max_connections', [
      'max_connections',
    ]);
    return { ...row };
  }

  prepareQuery(sql: string, params: Params): Executable {
    const pool = this.connectedPool;
    if (typeof params === 'function') return () => pool.query(sql, params() as unknown[]);
    const values = params.length > 0 ? (params as unknown[]) : undefined;
    return () => pool.query(sql, values);
  }

  async connectOnce(): Promise<OneShotConnection> {
    const client = new pg.Client(this.poolConfig());
    await client.connect();
    return { query: (sql, params = []) => client.query(sql, params as unknown[]), close: () => client.end() };
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.connectedPool.query(sql, params as unknown[])).rows;
  }
}

interface PgSession extends Session {
  client: pg.PoolClient;
}

class PgSessionProvider implements SessionProvider {
  constructor(private readonly pool: () => pg.Pool) {}

  async createSession(): Promise<Session> {
    const client = await this.pool().connect();
    const session: PgSession = {
      client,
      query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
    };
    return session;
  }
  async closeSession(session: Session): Promise<void> {
    (session as PgSession).client.release();
  }
  async beginTransaction(session: Session): Promise<void> {
    await session.query('BEGIN');
  }
  async commitTransaction(session: Session): Promise<void> {
    await session.query('COMMIT');
  }
  async rollbackTransaction(session: Session): Promise<void> {
    await session.query('ROLLBACK');
  }
}

registerProvider('postgresql', PostgresqlProvider);
