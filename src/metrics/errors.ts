import { z } from 'zod';
import { redact } from '../util/secrets.js';

const errorCountSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  /** One message of the class, with secrets masked. */
  sample: z.string(),
});
export type ErrorCount = z.infer<typeof errorCountSchema>;

/** Errors counted by class (see classifyError), as they cross the wire in a snapshot. */
export const errorsByClassSchema = z.record(z.string(), errorCountSchema);
export type ErrorsByClass = z.infer<typeof errorsByClassSchema>;

/**
 * Groups an error by what a user acts on: SQLSTATE for PostgreSQL, the driver's code otherwise
 * (MySQL's error name, `ER_LOCK_DEADLOCK`, or a connection's, `ECONNRESET`). Every SQLSTATE has a
 * digit; EPIPE, five letters, is not one.
 */
export function classifyError(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && /^(?=.*\d)[0-9A-Z]{5}$/.test(code)) return `SQLSTATE ${code}`;
  if (code) return code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

export function addError(into: ErrorsByClass, err: unknown): void {
  const cls = classifyError(err);
  const entry = into[cls];
  if (entry) entry.count++;
  else into[cls] = { count: 1, sample: redact(err instanceof Error ? err.message : String(err)).slice(0, 500) };
}

export function mergeErrors(into: ErrorsByClass, from: ErrorsByClass): void {
  for (const [cls, { count, sample }] of Object.entries(from)) {
    const entry = into[cls];
    if (entry) entry.count += count;
    else into[cls] = { count, sample };
  }
}

export function errorTotal(errors: ErrorsByClass): number {
  let n = 0;
  for (const e of Object.values(errors)) n += e.count;
  return n;
}

/**
 * Classes of an error where the connection went away after the request may have reached the
 * server: the operation failed for the client, yet the server may have committed it (a lost
 * acknowledgement). A refused connection (ECONNREFUSED, 57P03) never reached it.
 */
const IN_DOUBT = new Set([
  'SQLSTATE 57P01',
  'SQLSTATE 57P02',
  'SQLSTATE 08006',
  'SQLSTATE 08007',
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // MySQL and MariaDB (mysql2): the connection closed under a statement, the server shutting down
  // (1053) or killing the connection (MariaDB's 1927) while it ran, or mysql2's own statement
  // timeout, which closes the connection on the client while the server may finish the statement.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/** Failed operations whose outcome on the server is unknown (see IN_DOUBT). */
export function inDoubtTotal(errors: ErrorsByClass): number {
  let n = 0;
  for (const [cls, e] of Object.entries(errors)) if (IN_DOUBT.has(cls)) n += e.count;
  return n;
}
