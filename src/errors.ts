/**
 * Bad input (a scenario field, a flag, a DSN, an unreachable host): the CLI prints the message
 * as one line and exits 2, with no stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** The run itself failed (the database went away, a worker crashed): exit 1. */
export class RunFailure extends Error {
  override name = 'RunFailure';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
