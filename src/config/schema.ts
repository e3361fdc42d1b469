import { z } from 'zod';
import { durationSchema, atMost, MAX_BLOCKS, workerCount } from '../util/fields.js';
import { profileSchema } from '../profiles/index.js';

export const name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

export const sslConfigSchema = z.strictObject({
  mode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
  rootCert: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
});

const NUL = 'must not contain a NUL byte';
const noNul = (text: string): boolean => !text.includes('\0');

/**
 * A URL's parts are percent-decoded by the drivers, which throw a bare "URI malformed" on a bad
 * escape. A `sqlite:` DSN is a file path, never decoded. The query string is decoded leniently.
 */
function escapesDecode(dsn: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(dsn) || /^sqlite:/i.test(dsn)) return true;
  try {
    decodeURIComponent(dsn.split(/[?#]/, 1)[0]!);
    return true;
  } catch {
    return false;
  }
}

export const providerConfigSchema = z.strictObject({
  name,
  provider: z.string().min(1, 'must name a provider kind'),
  // The messages never quote the DSN: it may hold a password.
  dsn: z.string().refine(noNul, NUL).refine(escapesDecode, 'has a malformed %-escape (write a literal % as %25)').optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  sslConfig: sslConfigSchema.optional(),
  description: z.string().optional(),
  module: z.string().optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

const weight = z.number().positive('must be a positive number').optional();
/** A NUL would end the statement early in one driver and fail the protocol in another. */
const sqlText = z.string().min(1, 'must not be empty').refine(noNul, NUL);

const queryOperation = z.strictObject({
  name: name.optional(),
  weight,
  type: z.literal('query'),
  /** One statement for every provider, or one per dialect when they differ. */
  sql: z.union([sqlText, z.strictObject({ postgresql: sqlText.optional(), sqlite: sqlText.optional() })]),
  params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

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

export const operationSchema = z.discriminatedUnion('type', [
  queryOperation,
  insertDocumentOperation,
  transactionOperation,
  connectQueryOperation,
]);
export type OperationConfig = z.infer<typeof operationSchema>;

/** One of several load profiles in a file; without `startTime` it starts when the previous one ends. */
const scenarioItemSchema = z.strictObject({
  name,
  startTime: z.union([z.literal(0), durationSchema]).optional(),
  profile: profileSchema,
});

export const scenarioSchema = z
  .strictObject({
    name: name.optional(),
    description: z.string().optional(),
    providers: z.array(providerConfigSchema).min(1, 'must list at least one provider'),
    workload: z.array(operationSchema).min(1, 'must list at least one operation'),
    /** One profile, or `scenarios`: several, run one after another or at given start times. */
    profile: profileSchema.optional(),
    scenarios: z.array(scenarioItemSchema).min(1, 'must list at least one scenario').optional(),
    options: z
      .strictObject({
        window: durationSchema.optional(),
        workers: workerCount().optional(),
        keepData: z.boolean().optional(),
        /** Runs the providers in this many alternating short blocks, so machine drift hits all alike. */
        interleave: z.number().int().min(1, 'must be 1 (no interleaving) or more').max(MAX_BLOCKS, atMost(MAX_BLOCKS)).optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.profile === undefined) === (s.scenarios === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['profile'],
        message: s.profile ? 'give either profile or scenarios, not both' : 'is required (or scenarios)',
      });
    }
  });
export type Scenario = z.infer<typeof scenarioSchema>;
