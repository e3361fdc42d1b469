import type { DatabaseProvider, Dialect } from '../providers/types.js';

/** The tool's own table. Setup and teardown touch nothing else. */
export const DOCUMENTS_TABLE = 'stampede_documents';

const DDL: Record<Dialect, string[]> = {
  postgresql: [
    `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
      id bigserial PRIMARY KEY,
      dataset_id text NOT NULL,
      title text NOT NULL,
      content text NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_dataset ON ${DOCUMENTS_TABLE} (dataset_id)`,
  ],
  sqlite: [
    `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      dataset_id TEXT NOT NULL,
      title TEXT NOT NULL,
      content TEXT NOT NULL,
      metadata TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_dataset ON ${DOCUMENTS_TABLE} (dataset_id)`,
  ],
};

const INSERT: Record<Dialect, string> = {
  postgresql: `INSERT INTO ${DOCUMENTS_TABLE} (dataset_id, title, content, metadata) VALUES ($1, $2, $3, $4)`,
  sqlite: `INSERT INTO ${DOCUMENTS_TABLE} (dataset_id, title, content, metadata) VALUES (?, ?, ?, ?)`,
};

export async function createDocumentsTable(provider: DatabaseProvider): Promise<void> {
  for (const sql of DDL[provider.dialect]) await provider.execute(sql);
}

export async function dropDocumentsTable(provider: DatabaseProvider): Promise<void> {
  await provider.execute(`DROP TABLE IF EXISTS ${DOCUMENTS_TABLE}`);
}

/** Rows this run inserted: every run writes under its own dataset id. */
export async function countDocuments(provider: DatabaseProvider, datasetId: string): Promise<number> {
  const placeholder = provider.dialect === 'sqlite' ? '?' : '$1';
  const [row] = await provider.execute(
    `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE dataset_id = ${placeholder}`,
    [datasetId],
  );
  return Number(row?.n ?? 0);
}

const UPDATE: Record<Dialect, string> = {
  postgresql: `UPDATE ${DOCUMENTS_TABLE} SET title = title || ' (updated)' WHERE id = $1`,
  sqlite: `UPDATE ${DOCUMENTS_TABLE} SET title = title || ' (updated)' WHERE id = ?`,
};

export function documentUpdateSql(dialect: Dialect): string {
  return UPDATE[dialect];
}

export function documentInsertSql(dialect: Dialect): string {
  return INSERT[dialect];
}

/** Parameters for one inserted document; the content is built once, the title varies. */
export function documentParams(datasetId: string, source: string, contentBytes: number): () => unknown[] {
  const content = 'x'.repeat(contentBytes);
  const metadata = JSON.stringify({ source });
  let n = 0;
  return () => [datasetId, `${source}#${++n}`, content, metadata];
}
