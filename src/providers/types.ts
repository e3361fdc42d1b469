import type { ProviderConfig } from './config.js';

/** What a compiled operation is on the hot path: a call that returns a value or a promise. */
export type Executable = () => unknown;

export type Dialect = 'postgresql' | 'sqlite';

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
  readonly dialect: Dialect;
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
