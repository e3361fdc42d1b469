import type { Session, SessionProvider } from './types.js';

/** A session the driver checked out; `release` hands the connection back. */
export type ReservedSession = Session & { release?(): void };

/** Sessions and transactions in plain SQL: what every built-in kind shares. */
export class SqlSessionProvider implements SessionProvider {
  constructor(
    private readonly reserve: () => Promise<ReservedSession>,
    /** SQLite takes the write lock at BEGIN IMMEDIATE, so a transaction never fails later on a busy lock upgrade. */
    private readonly beginSql = 'BEGIN',
  ) {}

  createSession(): Promise<Session> {
    return this.reserve();
  }
  async closeSession(session: Session): Promise<void> {
    (session as ReservedSession).release?.();
  }
  async beginTransaction(session: Session): Promise<void> {
    await session.query(this.beginSql);
  }
  async commitTransaction(session: Session): Promise<void> {
    await session.query('COMMIT');
  }
  async rollbackTransaction(session: Session): Promise<void> {
    await session.query('ROLLBACK');
  }
}
