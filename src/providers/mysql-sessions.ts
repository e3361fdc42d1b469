import type { ExecuteValues, Pool, PoolConnection } from 'mysql2/promise';
import type { Session, SessionProvider } from './types.js';

type Row = Record<string, unknown>;

/** mysql2 answers a statement that returns no rows with a result header: a session returns no rows then. */
export function rowsOf(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : [];
}

/**
 * A session runs on the pool until its first transaction, then keeps that connection until it is
 * closed: a lock that outlives a transaction (GET_LOCK, taken because DDL commits implicitly) is
 * the connection's, and must be released on it.
 */
class MysqlSession implements Session {
  connection: PoolConnection | undefined;
  /** A statement failed in a way that may leave the connection unusable or mid-transaction. */
  broken = false;
  inTransaction = false;
  constructor(
    private readonly pool: Pool,
    private readonly prepare: boolean,
  ) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const on = this.connection ?? this.pool;
    try {
      const [result] =
        this.prepare && params.length > 0
          ? await on.execute(sql, params as ExecuteValues[])
          : await on.query(sql, params as ExecuteValues[]);
      return rowsOf(result);
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) this.broken = true;
      throw err;
    }
  }
}

export class MysqlSessionProvider implements SessionProvider {
  constructor(
    private readonly pool: () => Pool,
    private readonly prepare: boolean,
  ) {}

  async createSession(): Promise<Session> {
    return new MysqlSession(this.pool(), this.prepare);
  }

  /** A connection lost, or left mid-transaction, is closed rather than handed to the next session. */
  async closeSession(session: Session): Promise<void> {
    const s = session as MysqlSession;
    const connection = s.connection;
    s.connection = undefined;
    if (!connection) return;
    if (s.broken || s.inTransaction) connection.destroy();
    else connection.release();
  }

  async beginTransaction(session: Session): Promise<void> {
    const s = session as MysqlSession;
    if (s.inTransaction) throw new Error('a transaction is already open on this session');
    s.connection ??= await this.pool().getConnection();
    await s.query('BEGIN');
    s.inTransaction = true;
  }

  async commitTransaction(session: Session): Promise<void> {
    const s = session as MysqlSession;
    if (!s.inTransaction) throw new Error('no transaction is open on this session');
    await s.query('COMMIT');
    s.inTransaction = false;
  }

  /** Never throws: a connection whose rollback fails is destroyed at close, and the server rolls back. */
  async rollbackTransaction(session: Session): Promise<void> {
    const s = session as MysqlSession;
    if (!s.inTransaction) return;
    try {
      await s.query('ROLLBACK');
      s.inTransaction = false;
    } catch {
      s.broken = true;
    }
  }
}
