import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ProviderConfig } from './config.js';
import { UserError } from '../errors.js';
import { registerProvider } from './registry.js';
import { SqlSessionProvider } from './sql-session.js';
import { sqliteDialect } from './dialects/sqlite.js';
import type { ConnectionInfo, DatabaseProvider, Executable, OneShotConnection, PerformanceMetrics, SessionProvider } from './types.js';

type Row = Record<string, unknown>;
type Params = readonly unknown[] | (() => readonly unknown[]);

/**
 * better-sqlite3 is synchronous: a prepared statement's call returns the rows themselves, so the
 * hot path never allocates a promise (the engine awaits only what is a promise).
 */
abstract class SqliteBase implements DatabaseProvider {
  readonly dialect = sqliteDialect;
  abstract readonly providerName: string;
  abstract readonly sharedAcrossInstances: boolean;
  protected db: Database.Database | undefined;
  readonly sessionProvider: SessionProvider;

  constructor(readonly config: ProviderConfig) {
    // better-sqlite3 has one connection per database handle: a session is that handle.
    this.sessionProvider = new SqlSessionProvider(async () => {
      const db = this.database;
      return { query: async (sql, params = []) => runStatement(db, sql, params) };
    }, 'BEGIN IMMEDIATE');
  }

  protected abstract open(): Database.Database;

  protected get database(): Database.Database {
    if (!this.db) throw new Error(`provider "${this.config.name}" is not initialized`);
    return this.db;
  }

  async initialize(): Promise<void> {
    this.db ??= this.open();
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async healthCheck(): Promise<boolean> {
    try {
      return this.database.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  getConnectionInfo(): ConnectionInfo {
    return { name: this.config.name, provider: this.providerName, driver: 'better-sqlite3' };
  }

  async getPerformanceMetrics(): Promise<PerformanceMetrics> {
    const db = this.database;
    const pragma = (name: string): unknown => db.pragma(name, { simple: true });
    return {
      server: {
        version: (db.prepare('SELECT sqlite_version() AS v').get() as Row).v,
        journalMode: pragma('journal_mode'),
        synchronous: pragma('synchronous'),
        pageSize: pragma('page_size'),
        cacheSize: pragma('cache_size'),
        busyTimeoutMs: pragma('busy_timeout'),
      },
      // SQLite keeps no commit counter: the report can show growth, not check the ok count.
      counters: { pageCount: Number(pragma('page_count')), freelistCount: Number(pragma('freelist_count')) },
    };
  }

  prepareQuery(sql: string, params: Params): Executable {
    const stmt = readAllRows(this.database.prepare(sql));
    if (typeof params === 'function') {
      return stmt.reader ? () => stmt.all(...params()) : () => stmt.run(...params());
    }
    if (params.length > 0) return stmt.reader ? () => stmt.all(...params) : () => stmt.run(...params);
    return stmt.reader ? () => stmt.all() : () => stmt.run();
  }

  /** A new handle on the same database (for sqlite_memory, a new empty one, as a new connection would be). */
  async connectOnce(): Promise<OneShotConnection> {
    const db = this.open();
    return { query: async (sql, params = []) => runStatement(db, sql, params), close: async () => void db.close() };
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return runStatement(this.database, sql, params);
  }
}

/**
 * A reader on the hot path reads every column of every row, as a client would, in the cheapest
 * form: one value per row when there is one column, an array per row otherwise. Objects keyed by
 * column name cost as much again as the statement itself (190 ns of 420 on `SELECT 1`), and no
 * caller of the hot path reads the rows.
 */
function readAllRows(stmt: Database.Statement): Database.Statement {
  if (!stmt.reader) return stmt;
  return stmt.columns().length === 1 ? stmt.pluck(true) : stmt.raw(true);
}

function runStatement(db: Database.Database, sql: string, params: readonly unknown[]): Row[] {
  const stmt = db.prepare(sql);
  if (stmt.reader) return stmt.all(...params) as Row[];
  stmt.run(...params);
  return [];
}

/** Each instance (so each worker) has a private in-memory database; the DSN is ignored. */
export class SqliteMemoryProvider extends SqliteBase {
  readonly providerName = 'sqlite_memory';
  readonly sharedAcrossInstances = false;
  protected open(): Database.Database {
    return new Database(':memory:');
  }
  override getConnectionInfo(): ConnectionInfo {
    return { ...super.getConnectionInfo(), database: ':memory: (one private database per worker)' };
  }
}

/** One database file shared by every worker: WAL so readers do not block the writer. */
export class SqliteFileProvider extends SqliteBase {
  readonly providerName = 'sqlite';
  readonly sharedAcrossInstances = true;
  protected open(): Database.Database {
    const file = sqliteFile(this.config);
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${Number(this.config.options?.busyTimeoutMs ?? 5000)}`);
    const synchronous = this.config.options?.synchronous;
    db.pragma(`synchronous = ${typeof synchronous === 'string' || typeof synchronous === 'number' ? synchronous : 'NORMAL'}`);
    return db;
  }
  override getConnectionInfo(): ConnectionInfo {
    return { ...super.getConnectionInfo(), database: sqliteFile(this.config) };
  }
}

function sqliteFile(config: ProviderConfig): string {
  const dsn = config.dsn ?? '';
  // The file name ends at a NUL: another file than the one named would silently be used.
  if (dsn.includes('\0')) throw new UserError(`provider "${config.name}": dsn: must not contain a NUL byte`);
  return dsn.replace(/^sqlite:(\/\/)?/, '') || 'stampede.db';
}

registerProvider('sqlite_memory', SqliteMemoryProvider);
registerProvider('sqlite', SqliteFileProvider);
