import type { OperationConfig } from '../config/schema.js';
import { UserError } from '../errors.js';
import type { DatabaseProvider, Dialect, Executable } from '../providers/types.js';
import { documentInsertSql, documentParams } from './documents.js';

export interface OperationContext {
  /** Every row a run inserts carries its run id, so the database's own count can be checked. */
  datasetId: string;
  source: string;
}

/** The name an operation is reported under. */
export function operationName(op: OperationConfig, index: number): string {
  return op.name ?? (op.type === 'query' ? `query${index + 1}` : op.type);
}

export function querySql(op: Extract<OperationConfig, { type: 'query' }>, dialect: Dialect, where: string): string {
  if (typeof op.sql === 'string') return op.sql;
  const sql = op.sql[dialect];
  if (!sql) throw new UserError(`${where}.sql: no statement for dialect "${dialect}"`);
  return sql;
}

export function needsDocumentsTable(workload: readonly OperationConfig[]): boolean {
  return workload.some((op) => op.type === 'insert_document');
}

/** Turns an operation (data) into the call a VU makes, inside the worker that owns the provider. */
export function compileOperation(
  provider: DatabaseProvider,
  op: OperationConfig,
  index: number,
  ctx: OperationContext,
): Executable {
  switch (op.type) {
    case 'query':
      return provider.prepareQuery(querySql(op, provider.dialect, `workload[${index}]`), op.params ?? []);
    case 'insert_document':
      return provider.prepareQuery(
        documentInsertSql(provider.dialect),
        documentParams(ctx.datasetId, ctx.source, op.contentBytes ?? 256),
      );
  }
}
