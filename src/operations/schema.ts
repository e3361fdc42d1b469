import { z } from 'zod';
import { name, noNul, NUL } from '../util/fields.js';
import { DIALECT_NAMES } from '../providers/dialects/index.js';
import { paramsSchema } from './params.js';
import { tpcbOperationSchema } from './builtin/tpcb.js';
import { ycsbOperationSchema } from './builtin/ycsb.js';

const weight = z.number().positive('must be a positive number').optional();
/** A NUL would end the statement early in one driver and fail the protocol in another. */
const sqlText = z.string().min(1, 'must not be empty').refine(noNul, NUL);

const queryOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('query'),
  /** One statement for every provider, or one per dialect (keyed by the dialect's name) when they differ. */
  sql: z.union([sqlText, z.strictObject(Object.fromEntries(DIALECT_NAMES.map((d) => [d, sqlText.optional()])))]),
  /** Fixed values, or generators drawn for every call from the VU's seeded stream (params.ts). */
  params: paramsSchema.optional(),
});

/** One statement for every provider, or one per dialect: what setup and teardown list too. */
export const statementSql = queryOperation.shape.sql;

const insertDocumentOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('insert_document'),
  contentBytes: z.number().int().min(0).max(1_000_000).optional(),
});

/** A statement inside a transaction: a query, or an insert/update of the tool's own documents. */
const transactionStatement = z.discriminatedUnion('type', [
  queryOperation.omit({ name: true, weight: true }),
  insertDocumentOperation.omit({ name: true, weight: true }),
  /** Updates the row the transaction's last insert_document created. */
  z.strictObject({ type: z.literal('update_document') }),
]);
export type TransactionStatement = z.infer<typeof transactionStatement>;

/** Statements run in one session between begin and commit (rolled back on an error). */
const transactionOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('transaction'),
  statements: z.array(transactionStatement).min(1, 'must list at least one statement'),
});

/** Opens a new connection, runs one statement, closes it: connect and query timed apart. */
const connectQueryOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('connect_query'),
  sql: queryOperation.shape.sql,
});

/** A user's function: every worker thread and agent imports the module itself (src/operations/script.ts). */
const scriptOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('script'),
  /** A .js or .ts file, relative to the scenario (on an agent: to its provider file, or its working directory). */
  module: z.string().min(1, 'must name a module file'),
  export: z
    .string()
    .regex(/^[A-Za-z_$][\w$]*$/, 'must be the name of an exported function')
    .optional(),
});

export const operationSchema = z.discriminatedUnion('type', [
  queryOperation,
  insertDocumentOperation,
  transactionOperation,
  connectQueryOperation,
  scriptOperation,
  /** One of pgbench's scripts (a built-in workload expands into these). */
  tpcbOperationSchema,
  /** One of YCSB's core actions (a built-in workload expands into these). */
  ycsbOperationSchema,
]);
export type OperationConfig = z.infer<typeof operationSchema>;
