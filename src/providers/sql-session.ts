import type { Session, SessionProvider } from './types.js';

/** Sessions and transactions in plain SQL on a connection that stays open (SQLite's one handle). */
export class SqlSessionProvider implements SessionProvider {
  constructor(
    private readonly open: () => Promise<Session>,
    /** SQLite takes the write lock at BEGIN IMMEDIATE, so a transaction never fails later on a busy lock upgrade. */
    private readonly beginSql: string,
  ) {}

  createSession(): Promise<Session> {
    return this.open();
  }
  async closeSession(): Promise<void> {}
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
