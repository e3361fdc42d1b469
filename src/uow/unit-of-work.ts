import type { DatabaseProvider, Session } from '../providers/types.js';

type Row = Record<string, unknown>;

/**
 * A transaction on one checked-out connection. `run` is the safe way to use it: it commits when
 * the callback resolves and rolls back when it throws, then rethrows.
 */
export abstract class AbstractUnitOfWork {
  abstract begin(): Promise<void>;
  abstract commit(): Promise<void>;
  abstract rollback(): Promise<void>;
  abstract query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** True between begin() and commit()/rollback(). */
  abstract readonly active: boolean;

  async run<T>(work: (uow: this) => Promise<T>): Promise<T> {
    await this.begin();
    let result: T;
    try {
      result = await work(this);
    } catch (err) {
      await this.rollback();
      throw err;
    }
    await this.commit();
    return result;
  }
}

/** The one implementation: every built-in kind speaks SQL transactions through its SessionProvider. */
export class SqlUnitOfWork extends AbstractUnitOfWork {
  private session: Session | undefined;

  constructor(readonly provider: DatabaseProvider) {
    super();
  }

  get active(): boolean {
    return this.session !== undefined;
  }

  async begin(): Promise<void> {
    if (this.session) throw new Error(`unit of work on "${this.provider.config.name}" is already active`);
    const sessions = this.provider.sessionProvider;
    const session = await sessions.createSession();
    try {
      await sessions.beginTransaction(session);
    } catch (err) {
      await sessions.closeSession(session);
      throw err;
    }
    this.session = session;
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.current().query(sql, params);
  }

  commit(): Promise<void> {
    const sessions = this.provider.sessionProvider;
    return this.finish(async (s) => {
      try {
        await sessions.commitTransaction(s);
      } catch (err) {
        // A failed COMMIT can leave the transaction open (SQLite on a busy lock): end it before the session is reused.
        await sessions.rollbackTransaction(s).catch(() => {});
        throw err;
      }
    });
  }

  rollback(): Promise<void> {
    return this.finish((s) => this.provider.sessionProvider.rollbackTransaction(s));
  }

  private current(): Session {
    if (!this.session) throw new Error(`unit of work on "${this.provider.config.name}" is not active: call begin() first`);
    return this.session;
  }

  /** The session goes back to its pool whether the COMMIT or ROLLBACK succeeded or not. */
  private async finish(end: (s: Session) => Promise<void>): Promise<void> {
    const session = this.current();
    this.session = undefined;
    try {
      await end(session);
    } finally {
      await this.provider.sessionProvider.closeSession(session);
    }
  }
}
