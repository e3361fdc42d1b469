import type { OperationConfig, TransactionStatement } from './schema.js';
import { UserError } from '../errors.js';
import type { DatabaseProvider, Executable, Session, SqlDialect, VuContext } from '../providers/types.js';
import { compileParams, type ParamsConfig, variesPerCall } from './params.js';
import { inTransaction } from './sessions.js';
import { compileTpcb } from './builtin/tpcb.js';
import { compileYcsb } from './builtin/ycsb.js';
import { documentInsertSql, documentParams, documentUpdateSql } from './documents.js';
import { compileScript, type ScriptFunction } from './script.js';
import { serialized } from './serialized.js';

export interface OperationContext {
  /** Every row a provider run inserts carries its dataset id, so the database's own count can be checked. */
  datasetId: string;
  source: string;
  /** Where a CSV file a parameter names is found, when its path is relative (the scenario's directory; default the current one). */
  baseDir?: string;
  /** Records a timed part of one operation (connect, query) into that part's own histogram. */
  recordPart?: (part: string, elapsedNs: bigint) => void;
  /** Each script operation's function, by its index in the workload, imported in this thread (loadScripts). */
  scripts?: ReadonlyArray<ScriptFunction | undefined>;
  /** What the scenario's setup returned, handed to every script call as `data`. */
  data?: unknown;
}

type SqlSource = Extract<OperationConfig, { type: 'query' }>['sql'];

/** The name an operation is reported under. */
export function operationName(op: OperationConfig, index: number): string {
  if (op.type === 'tpcb') return op.name ?? op.script;
  if (op.type === 'ycsb') return op.name ?? op.action;
  if (op.name) return op.name;
  if (op.type === 'script') return op.export ?? 'script';
  return op.type === 'query' ? `query${index + 1}` : op.type;
}

export function querySql(op: { sql: SqlSource }, dialect: SqlDialect, where: string): string {
  if (typeof op.sql === 'string') return op.sql;
  const sql = op.sql[dialect.name];
  if (!sql) throw new UserError(`${where}.sql: no statement for dialect "${dialect.name}"`);
  return sql;
}

/**
 * Every statement of the workload, with where it is, so a missing dialect or an unreadable CSV
 * file of a parameter is caught before the run.
 */
export function workloadSql(workload: readonly OperationConfig[], dialect: SqlDialect, where: string, baseDir: string): void {
  const check = (st: { sql: SqlSource; params?: ParamsConfig }, at: string): void => {
    querySql(st, dialect, at);
    if (variesPerCall(st.params)) compileParams(st.params!, baseDir, at);
  };
  for (const [i, op] of workload.entries()) {
    if (op.type === 'query' || op.type === 'connect_query') check(op, `${where}[${i}]`);
    if (op.type === 'transaction') {
      for (const [j, st] of op.statements.entries()) if (st.type === 'query') check(st, `${where}[${i}].statements[${j}]`);
    }
  }
}

/** Rows one successful run of the operation adds to the documents table: what the count check expects. */
export function documentsPerOperation(op: OperationConfig): number {
  if (op.type === 'insert_document') return 1;
  return op.type === 'transaction' ? op.statements.filter((s) => s.type === 'insert_document').length : 0;
}

export function needsDocumentsTable(workload: readonly OperationConfig[]): boolean {
  return workload.some((op) => documentsPerOperation(op) > 0);
}

/** Turns an operation (data) into the call a VU makes, inside the worker that owns the provider. */
export function compileOperation(provider: DatabaseProvider, op: OperationConfig, index: number, ctx: OperationContext): Executable {
  switch (op.type) {
    case 'query':
      return compileQuery(
        provider,
        querySql(op, provider.dialect, `workload[${index}]`),
        op.params,
        ctx.baseDir ?? '.',
        `workload[${index}]`,
      );
    case 'insert_document':
      return provider.prepareQuery(documentInsertSql(provider.dialect), documentParams(ctx.datasetId, ctx.source, op.contentBytes ?? 256));
    case 'transaction':
      return compileTransaction(provider, op.statements, index, ctx);
    case 'connect_query':
      return compileConnectQuery(provider, querySql(op, provider.dialect, `workload[${index}]`), ctx);
    case 'script': {
      const fn = ctx.scripts?.[index];
      if (!fn) throw new Error(`workload[${index}]: the script's module was not loaded in this thread`);
      return compileScript(provider, fn, { data: ctx.data, recordPart: ctx.recordPart ?? (() => {}) });
    }
    case 'tpcb':
      return compileTpcb(provider, op);
    case 'ycsb':
      return compileYcsb(provider, op);
  }
}

/**
 * A statement whose generated parameters are drawn for the calling VU. The provider calls the
 * parameter function synchronously as the call starts, so it reads the VU the call was made for.
 */
function compileQuery(
  provider: DatabaseProvider,
  sql: string,
  params: ParamsConfig | undefined,
  baseDir: string,
  where: string,
): Executable {
  if (!variesPerCall(params)) return provider.prepareQuery(sql, params ?? []);
  const draw = compileParams(params!, baseDir, where);
  let caller: VuContext | undefined;
  const run = provider.prepareQuery(sql, () => draw(caller!));
  return (vu) => {
    caller = vu;
    return run(vu);
  };
}

type Step = (session: Session, state: { lastId?: unknown }, vu: VuContext) => Promise<void>;

/** Begin, the statements in order on one session, commit; any error rolls back and is counted. */
function compileTransaction(
  provider: DatabaseProvider,
  statements: TransactionStatement[],
  index: number,
  ctx: OperationContext,
): Executable {
  const sessions = provider.sessionProvider;
  const steps: Step[] = statements.map((st, j): Step => {
    switch (st.type) {
      case 'query': {
        const sql = querySql(st, provider.dialect, `workload[${index}].statements[${j}]`);
        const where = `workload[${index}].statements[${j}]`;
        if (!variesPerCall(st.params)) {
          const params = st.params ?? [];
          return async (s) => void (await s.query(sql, params));
        }
        const draw = compileParams(st.params!, ctx.baseDir ?? '.', where);
        return async (s, _state, vu) => void (await s.query(sql, draw(vu)));
      }
      case 'insert_document': {
        const insert = insertReturningId(provider.dialect);
        const params = documentParams(ctx.datasetId, ctx.source, st.contentBytes ?? 256);
        return async (s, state) => {
          state.lastId = await insert(s, params());
        };
      }
      case 'update_document': {
        const sql = documentUpdateSql(provider.dialect);
        return async (s, state) => {
          if (state.lastId === undefined)
            throw new UserError(`workload[${index}].statements[${j}]: update_document needs an insert_document before it`);
          await s.query(sql, [state.lastId]);
        };
      }
    }
  });
  const run = (vu: VuContext): Promise<void> =>
    inTransaction(sessions, async (session) => {
      const state = {};
      for (const step of steps) await step(session, state, vu);
    });
  return provider.dialect.oneConnectionPerHandle ? serialized(provider, run) : run;
}

/** A document insert that resolves to the new row's id, the way the dialect hands it back. */
function insertReturningId(dialect: SqlDialect): (s: Session, params: unknown[]) => Promise<unknown> {
  const insert = documentInsertSql(dialect);
  const id = dialect.insertedId;
  if ('query' in id) {
    return async (s, params) => {
      await s.query(insert, params);
      const [row] = await s.query(id.query);
      return row?.id;
    };
  }
  const sql = `${insert} RETURNING id`;
  return async (s, params) => (await s.query(sql, params))[0]?.id;
}

/** A new connection per call; connect and query times also go to their own histograms. */
function compileConnectQuery(provider: DatabaseProvider, sql: string, ctx: OperationContext): Executable {
  if (!provider.connectOnce)
    throw new UserError(`provider "${provider.config.name}" (${provider.providerName}) cannot open one-off connections (connect_query)`);
  const connectOnce = provider.connectOnce.bind(provider);
  const record = ctx.recordPart ?? (() => {});
  return async () => {
    const t0 = process.hrtime.bigint();
    const connection = await connectOnce();
    const t1 = process.hrtime.bigint();
    try {
      await connection.query(sql);
      record('connect', t1 - t0);
      record('query', process.hrtime.bigint() - t1);
    } finally {
      await connection.close();
    }
  };
}
