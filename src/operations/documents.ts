import type { DatabaseProvider, Session, SqlDialect } from '../providers/types.js';

/** The tool's own tables. Setup and teardown touch nothing else. */
const DOCUMENTS_TABLE = 'stampede_documents';
/**
 * Who is using the documents table: one row per provider run, added at setup and removed at
 * teardown. The last run out drops the tables; a run that crashed leaves its row, so the table
 * stays (the safe way to fail).
 */
const RUNS_TABLE = 'stampede_runs';
const DATASET_INDEX = `${DOCUMENTS_TABLE}_dataset`;

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
  register: string;
  unregister: string;
  registered: string;
  deleteRows: string;
  drop: string[];
}

/** The tool's statements, built from the facts the provider's dialect declares. */
function documentsSql(dialect: SqlDialect): DocumentsSql {
  const p = (n: number): string => dialect.placeholder(n);
  const t = dialect.types;
  const ignoring = dialect.insertIgnoring;
  return {
    create: [
      `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
        id ${t.autoId},
        dataset_id ${t.key} NOT NULL,
        title ${t.text} NOT NULL,
        content ${t.text} NOT NULL,
        metadata ${t.json} NOT NULL,
        created_at ${t.timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP${
          dialect.indexInTable
            ? `,
        INDEX ${DATASET_INDEX} (dataset_id)`
            : ''
        })`,
      ...(dialect.indexInTable ? [] : [`CREATE INDEX IF NOT EXISTS ${DATASET_INDEX} ON ${DOCUMENTS_TABLE} (dataset_id)`]),
    ],
    insert: `INSERT INTO ${DOCUMENTS_TABLE} (dataset_id, title, content, metadata) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`,
    // concat(), not ||, which MySQL reads as OR.
    update: `UPDATE ${DOCUMENTS_TABLE} SET title = concat(title, ' (updated)') WHERE id = ${p(1)}`,
    count: `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE dataset_id = ${p(1)}`,
    createRegistry: `CREATE TABLE IF NOT EXISTS ${RUNS_TABLE} (
        dataset_id ${t.key} PRIMARY KEY,
        started_at ${t.timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    register: `${ignoring.verb} INTO ${RUNS_TABLE} (dataset_id) VALUES (${p(1)}) ${ignoring.clause}`.trimEnd(),
    unregister: `DELETE FROM ${RUNS_TABLE} WHERE dataset_id = ${p(1)}`,
    registered: `SELECT count(*) AS n FROM ${RUNS_TABLE}`,
    deleteRows: `DELETE FROM ${DOCUMENTS_TABLE} WHERE dataset_id = ${p(1)}`,
    drop: [`DROP TABLE IF EXISTS ${DOCUMENTS_TABLE}`, `DROP TABLE IF EXISTS ${RUNS_TABLE}`],
  };
}

/** The documents table alone, for a database private to one instance (nobody else can use it). */
export async function createDocumentsTable(provider: DatabaseProvider): Promise<void> {
  for (const sql of documentsSql(provider.dialect).create) await provider.execute(sql);
}

/** Registers a provider's run as a user of the documents table, creating the tables if needed. */
export async function registerRun(provider: DatabaseProvider, datasetId: string, lockWaitMs: number): Promise<void> {
  const sql = documentsSql(provider.dialect);
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
  const sql = documentsSql(provider.dialect);
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
  let release: (() => Promise<void>) | undefined;
  try {
    await sessions.beginTransaction(session);
    try {
      release = await provider.dialect.lockRegistry(session, lockWaitMs);
      const result = await work(session);
      await sessions.commitTransaction(session);
      return result;
    } catch (err) {
      await sessions.rollbackTransaction(session).catch(() => {});
      throw err;
    }
  } finally {
    // A lock that outlives the transaction (MySQL's GET_LOCK) is released once it has ended.
    try {
      await release?.();
    } finally {
      await sessions.closeSession(session);
    }
  }
}

/** Rows a dataset holds. */
export async function countDocuments(provider: DatabaseProvider, datasetId: string): Promise<number> {
  const [row] = await provider.execute(documentsSql(provider.dialect).count, [datasetId]);
  return Number(row?.n ?? 0);
}

export function documentUpdateSql(dialect: SqlDialect): string {
  return documentsSql(dialect).update;
}

export function documentInsertSql(dialect: SqlDialect): string {
  return documentsSql(dialect).insert;
}

/** Parameters for one inserted document; the content is built once, the title varies. */
export function documentParams(datasetId: string, source: string, contentBytes: number): () => unknown[] {
  const content = 'x'.repeat(contentBytes);
  const metadata = JSON.stringify({ source });
  let n = 0;
  return () => [datasetId, `${source}#${++n}`, content, metadata];
}
