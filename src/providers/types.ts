import type { ProviderConfig } from './config.js';

/**
 * The VU an operation runs for. Its random stream is its own, derived from the run's seed, the
 * provider and `id`, so a VU draws the same values however VUs are split across workers and agents.
 */
export interface VuContext {
  /** The VU's index among every VU of the provider's run, from 0 (independent of the split). */
  readonly id: number;
  /** VUs of the whole run at its peak: ids are below it (strides of unique sequences). */
  readonly vus: number;
  /** Uniform in [0, 1), from the VU's own seeded stream. */
  readonly random: () => number;
  /** Operations this VU has started. */
  iteration: number;
  /** What the VU keeps between its operations (counters of sequences, a script's own state). */
  readonly state: Record<string, unknown>;
}

/** What a compiled operation is on the hot path: a call for one VU that returns a value or a promise. */
export type Executable = (vu: VuContext) => unknown;

/**
 * What a provider declares about its SQL and its driver. The layers above read these facts, never
 * a dialect's name, so a new database is added in src/providers/ alone. Built in:
 * `postgresqlDialect` and `sqliteDialect` (src/providers/dialects/).
 */
export interface SqlDialect {
  /** The key a scenario gives this dialect's statement under (`sql: {postgresql: …, sqlite: …}`). */
  readonly name: string;
  /** The n-th bound parameter of a statement, counting from 1: `$1`, or `?`. */
  placeholder(n: number): string;
  /**
   * How an INSERT hands back its new row's `id`: `RETURNING id` on the statement itself, or a query
   * run right after it on the same session (MySQL's `SELECT LAST_INSERT_ID() AS id`).
   */
  readonly insertedId: { readonly returning: true } | { readonly query: string };
  /** The driver runs each call on the caller's thread and returns its result, not a promise (better-sqlite3). */
  readonly synchronous: boolean;
  /** Every session of an instance is its one connection, so one worker's transactions must take turns. */
  readonly oneConnectionPerHandle: boolean;
  /** Column types of the tool's own tables. */
  readonly types: {
    /** A key the database assigns on insert: the whole column definition, PRIMARY KEY included. */
    readonly autoId: string;
    /** Text that can be a primary key or indexed (MySQL needs a length). */
    readonly key: string;
    /** Text of any length up to a megabyte (a document's content). */
    readonly text: string;
    readonly json: string;
    /** A moment, defaulting to `CURRENT_TIMESTAMP`. */
    readonly timestamp: string;
  };
  /**
   * The tool's index is declared inside its CREATE TABLE, for a database without
   * `CREATE INDEX IF NOT EXISTS` (MySQL 8). Optional: absent means a separate CREATE INDEX.
   */
  readonly indexInTable?: boolean;
  /** An INSERT that skips a row whose key exists: the words before `INTO` and the clause after `VALUES (…)`. */
  readonly insertIgnoring: { readonly verb: string; readonly clause: string };
  /**
   * Takes the lock that serializes every run's setup and teardown on one database, as the first
   * step of their transaction, waiting at most `waitMs`; resolves to what releases it (a no-op for
   * a lock that ends with the transaction).
   */
  lockRegistry(session: Session, waitMs: number): Promise<() => Promise<void>>;
}

export interface ConnectionInfo {
  name: string;
  provider: string;
  driver: string;
  /** DSN with the password masked. */
  dsn?: string;
  [key: string]: unknown;
}

/** One checked-out connection: what a unit of work runs its statements on. */
export interface Session {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** A connection of its own, outside any pool: what a connect-query-disconnect operation uses. */
export interface OneShotConnection {
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

export interface SessionProvider {
  createSession(): Promise<Session>;
  closeSession(session: Session): Promise<void>;
  beginTransaction(session: Session): Promise<void>;
  commitTransaction(session: Session): Promise<void>;
  rollbackTransaction(session: Session): Promise<void>;
}

/** What the database itself says, read before and after a run. */
export interface PerformanceMetrics {
  /** Facts about the server: version, key settings, TLS in use, pooler detected. */
  server: Record<string, unknown>;
  /** Monotonic counters; the report keeps their before/after difference. */
  counters: Record<string, number>;
  /**
   * The counter that moves by one for every successful autocommit operation (PostgreSQL's
   * xact_commit), when the server keeps one; the report checks the client's ok count against it.
   */
  operationCounter?: string;
  /** How long the counters may trail what the server did, in milliseconds (0 when they never do). */
  lagMs?: number;
}

export interface DatabaseProvider {
  /** The registered kind, e.g. `postgresql`. */
  readonly providerName: string;
  readonly config: ProviderConfig;
  /**
   * Its SQL and driver facts. A plain-JavaScript kind may give a built-in dialect's name instead
   * (`'postgresql'`, `'sqlite'`): `createProvider` puts that dialect in its place.
   */
  readonly dialect: SqlDialect;
  readonly sessionProvider: SessionProvider;
  /**
   * False when every instance has a database of its own (`sqlite_memory`): setup then runs in
   * each worker, and the coordinator cannot see what the workers did.
   */
  readonly sharedAcrossInstances: boolean;
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** True when the database answers; false (never a throw, never a hang) when it does not. */
  healthCheck(): Promise<boolean>;
  getConnectionInfo(): ConnectionInfo;
  getPerformanceMetrics(): Promise<PerformanceMetrics>;
  /** Compiles one statement into the hot-path call a VU makes, once per worker. */
  prepareQuery(sql: string, params: readonly unknown[] | (() => readonly unknown[])): Executable;
  /** Opens a new connection that bypasses the pool (optional: kinds without it cannot run connect_query). */
  connectOnce?(): Promise<OneShotConnection>;
  /** Runs one statement outside the hot path (setup, teardown, verification). */
  execute(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

export type ProviderClass = new (config: ProviderConfig) => DatabaseProvider;
