import type { z } from 'zod';

/** What is wrong with one field of some input, as a user reads it. */
export interface FieldProblem {
  /** Where the field is in the input (a missing field's own key included). */
  path: PropertyKey[];
  /** The path as written in a file (`providers[0].dsn`), `(top level)` when empty. */
  field: string;
  message: string;
}

export type Checked<T> = { success: true; data: T } | { success: false; problem: FieldProblem };

/**
 * Validates input against a schema; on failure, the one problem worth a line. `at` is where the
 * input sits in a larger document (`['options']`), so the field is named as its owner writes it.
 */
export function check<T>(schema: z.ZodType<T>, input: unknown, at: readonly PropertyKey[] = []): Checked<T> {
  // The input is kept in each issue: only then can a missing field be told from a wrong one.
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return { success: true, data: parsed.data };
  // A misspelt field also makes the real one "missing": name the misspelling, the cause.
  const issues = parsed.error.issues;
  const { path, message } = describeIssue(issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!);
  const full = [...at, ...path];
  return { success: false, problem: { path: full, field: fieldName(full), message } };
}

/** `where: field: message`, the one line bad input gets. */
export function problemLine(where: string, problem: Pick<FieldProblem, 'field' | 'message'>): string {
  return `${where}: ${problem.field}: ${problem.message}`;
}

function describeIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') return { path: [...path, issue.keys[0]!], message: 'unknown field' };
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    const options = (issue as { options?: unknown[] }).options;
    return {
      path: path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator],
      message: options ? `must be one of ${options.map(String).join(', ')}` : 'is not a known type',
    };
  }
  // A union of shapes (a list of operations, or a built-in workload): the branch that got furthest names the problem.
  const branches = issue.code === 'invalid_union' ? (issue as { errors?: z.core.$ZodIssue[][] }).errors : undefined;
  const deepest = branches
    ?.map((b) => b[0])
    .reduce<z.core.$ZodIssue | undefined>((a, b) => (b && (!a || b.path.length > a.path.length) ? b : a), undefined);
  if (deepest && deepest.path.length > 0 && 'input' in issue && issue.input !== undefined) {
    const inner = describeIssue(deepest);
    return { path: [...path, ...inner.path], message: inner.message };
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && 'input' in issue && issue.input === undefined) {
    return { path, message: 'is required' };
  }
  if (issue.code === 'invalid_value') return { path, message: `must be one of ${issue.values.map(String).join(', ')}` };
  return { path, message: issue.message };
}

/** A path as a file writes it: `providers[0].sslConfig.mode`; `(top level)` when empty. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('') || '(top level)';
}
