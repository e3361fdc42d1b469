import type { DatabaseProvider, Dialect, Session } from '../providers/types.js';

/** The tool's own tables. Setup and teardown touch nothing else. */
export const DOCUMENTS_TABLE = 'stampede_documents';
/**
 * Who is using the documents table: one row per provider run, added at setup and removed at
 * teardown. The last run out drops the tables; a run that crashed leaves its row, so the table
 * stays (the safe way to fail).
 */
export const RUNS_TABLE = 'stampede_runs';

/**
 * The value a provider's run stores in `dataset_id`: unique per provider of a run, so providers
 * (and runs) sharing a database each count only their own rows.
 */
export function documentsDataset(runId: string, provider: string): string {
  return `${runId}/${provider}`;
}

interface DocumentsSql {
  create: string[];
  insert: string;
  update: string;
  count: string;
  createRegistry: string;
  /**
   * Opens setup and teardown, inside their transaction: serializes every run's setup and
   * teardown on the database, and bounds how long they wait for a lock.
   */
  guard(lockWaitMs: number): string[];
  register: string;
  unregister: string;
  registered: string;
  deleteRows: string;
  drop: string[];
}

/** Any fixed key: every run on a database takes the same advisory lock for setup and teardown. */
const REGISTRY_LOCK_KEY = 0x5354414d50; // "STAMP"

const SQL: Record<Dialect, DocumentsSql> = {
  postgresql: {
    create: [
      `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
        id bigserial PRIMARY KEY,
        dataset_id text NOT NULL,
        title text NOT NULL,
        content text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_dataset ON ${DOCUMENTS_TABLE} (dataset_id)`,
    ],
    insert: `INSERT INTO ${DOCUMENTS_TABLE} (dataset_id, title, content, metadata) VALUES ($1, $2, $3, $4)`,
    update: `UPDATE ${DOCUMENTS_TABLE} SET title = title || ' (updated)' WHERE id = $1`,
    count: `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE dataset_id = $1`,
    createRegistry: `CREATE TABLE IF NOT EXISTS ${RUNS_TABLE} (dataset_id text PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now())`,
    // Before any CREATE: two sessions creating one table at once can fail on pg_type's unique index.
    guard: (ms) => [`SET LOCAL lock_timeout = ${Math.round(ms)}`, `SELECT pg_advisory_xact_lock(${REGISTRY_LOCK_KEY})`],
    register: `INSERT INTO ${RUNS_TABLE} (dataset_id) VALUES ($1) ON CONFLICT (dataset_id) DO NOTHING`,
    unregister: `DELETE FROM ${RUNS_TABLE} WHERE dataset_id = $1`,
    registered: `SELECT count(*) AS n FROM ${RUNS_TABLE}`,
    deleteRows: `DELETE FROM ${DOCUMENTS_TABLE} WHERE dataset_id = $1`,
    drop: [`DROP TABLE IF EXISTS ${DOCUMENTS_TABLE}`, `DROP TABLE IF EXISTS ${RUNS_TABLE}`],
  },
  sqlite: {
    create: [
      `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id TEXT NOT NULL,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
      `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_dataset ON ${DOCUMENTS_TABLE} (dataset_id)`,
    ],
    insert: `INSERT INTO ${DOCUMENTS_TABLE} (dataset_id, title, content, metadata) VALUES (?, ?, ?, ?)`,
    update: `UPDATE ${DOCUMENTS_TABLE} SET title = title || ' (updated)' WHERE id = ?`,
    count: `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE dataset_id = ?`,
    createRegistry: `CREATE TABLE IF NOT EXISTS ${RUNS_TABLE} (dataset_id TEXT PRIMARY KEY, started_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    // The session's BEGIN IMMEDIATE takes the file's write lock; busy_timeout bounds the wait.
    guard: () => [],
    register: `INSERT INTO ${RUNS_TABLE} (dataset_id) VALUES (?) ON CONFLICT (dataset_id) DO NOTHING`,
    unregister: `DELETE FROM ${RUNS_TABLE} WHERE dataset_id = ?`,
    registered: `SELECT count(*) AS n FROM ${RUNS_TABLE}`,
    deleteRows: `DELETE FROM ${DOCUMENTS_TABLE} WHERE dataset_id = ?`,
    drop: [`DROP TABLE IF EXISTS ${DOCUMENTS_TABLE}`, `DROP TABLE IF EXISTS ${RUNS_TABLE}`],
  },
};

/** The documents table alone, for a database private to one instance (nobody else can use it). */
export async function createDocumentsTable(provider: DatabaseProvider): Promise<void> {
  for (const sql of SQL[provider.dialect].create) await provider.execute(sql);
}

/** Registers a provider's run as a user of the documents table, creating the tables if needed. */
export async function registerRun(provider: DatabaseProvider, datasetId: string, lockWaitMs: number): Promise<void> {
  const sql = SQL[provider.dialect];
  await inTransaction(provider, lockWaitMs, async (s) => {
    await s.query(sql.createRegistry);
    await s.query(sql.register, [datasetId]);
    for (const statement of sql.create) await s.query(statement);
  });
}

export interface Teardown {
  /** True when this run was the last registered one and dropped the tool's tables. */
  tableDropped: boolean;
  /** Other runs still registered: their rows, and the table, stay. */
  otherRuns: number;
}

/** Removes the run's rows and its registration; the last registered run drops the tables. */
export async function unregisterRun(provider: DatabaseProvider, datasetId: string, lockWaitMs: number): Promise<Teardown> {
  const sql = SQL[provider.dialect];
  return inTransaction(provider, lockWaitMs, async (s) => {
    await s.query(sql.unregister, [datasetId]);
    const [row] = await s.query(sql.registered);
    const otherRuns = Number(row?.n ?? 0);
    if (otherRuns > 0) {
      await s.query(sql.deleteRows, [datasetId]);
      return { tableDropped: false, otherRuns };
    }
    for (const statement of sql.drop) await s.query(statement);
    return { tableDropped: true, otherRuns };
  });
}

/** One transaction under the registry's guard: a run starting meanwhile cannot lose its table. */
async function inTransaction<T>(provider: DatabaseProvider, lockWaitMs: number, work: (s: Session) => Promise<T>): Promise<T> {
  const sessions = provider.sessionProvider;
  const session = await sessions.createSession();
  try {
    await sessions.beginTransaction(session);
    try {
      for (const statement of SQL[provider.dialect].guard(lockWaitMs)) await session.query(statement);
      const result = await work(session);
      await sessions.commitTransaction(session);
      return result;
    } catch (err) {
      await sessions.rollbackTransaction(session).catch(() => {});
      throw err;
    }
  } finally {
    await sessions.closeSession(session);
  }
}

/** Rows a dataset holds. */
export async function countDocuments(provider: DatabaseProvider, datasetId: string): Promise<number> {
  const [row] = await provider.execute(SQL[provider.dialect].count, [datasetId]);
  return Number(row?.n ?? 0);
}

export function documentUpdateSql(dialect: Dialect): string {
  return SQL[dialect].update;
}

export function documentInsertSql(dialect: Dialect): string {
  return SQL[dialect].insert;
}

/** Parameters for one inserted document; the content is built once, the title varies. */
export function documentParams(datasetId: string, source: string, contentBytes: number): () => unknown[] {
  const content = 'x'.repeat(contentBytes);
  const metadata = JSON.stringify({ source });
  let n = 0;
  return () => [datasetId, `${source}#${++n}`, content, metadata];
}
