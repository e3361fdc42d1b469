import type { PgDriver, PgTransaction } from './pg-drivers.js';
import type { Session, SessionProvider } from './types.js';

type Row = Record<string, unknown>;

/** A session holds a connection only while its transaction is open; outside one it runs on the pool. */
class PgSession implements Session {
  transaction: PgTransaction | undefined;
  constructor(private readonly driver: PgDriver) {}
  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.transaction ? this.transaction.query(sql, params) : this.driver.execute(sql, params);
  }
}

/**
 * Sessions on either PostgreSQL driver. The connection is taken at BEGIN and given back at COMMIT
 * or ROLLBACK by the driver itself, so a connection lost mid-transaction is never handed out again
 * and a session waiting for one never outlives a server restart.
 */
export class PgSessionProvider implements SessionProvider {
  constructor(private readonly driver: () => PgDriver) {}

  async createSession(): Promise<Session> {
    return new PgSession(this.driver());
  }
  async closeSession(session: Session): Promise<void> {
    await this.end(session)?.rollback();
  }
  async beginTransaction(session: Session): Promise<void> {
    const s = session as PgSession;
    if (s.transaction) throw new Error('a transaction is already open on this session');
    s.transaction = await this.driver().begin();
  }
  async commitTransaction(session: Session): Promise<void> {
    const transaction = this.end(session);
    if (!transaction) throw new Error('no transaction is open on this session');
    await transaction.commit();
  }
  async rollbackTransaction(session: Session): Promise<void> {
    await this.end(session)?.rollback();
  }

  private end(session: Session): PgTransaction | undefined {
    const s = session as PgSession;
    const transaction = s.transaction;
    s.transaction = undefined;
    return transaction;
  }
}
