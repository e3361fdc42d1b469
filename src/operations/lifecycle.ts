import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import type { DatabaseProvider } from '../providers/types.js';
import { redact } from '../util/secrets.js';
import { querySql } from './compile.js';
import { statementSql } from './schema.js';

/**
 * A scenario's `setup:` and `teardown:`: statements run once per provider by the coordinator,
 * outside the measured windows. The rows of setup's last statement go to every VU (`setupData`).
 */
export const lifecycleSchema = z.union([statementSql, z.array(statementSql).min(1, 'must list at least one statement')]);
export type LifecycleConfig = z.infer<typeof lifecycleSchema>;

export interface SetupResult {
  statements: number;
  /** Rows the last statement returned: the data handed to every VU. */
  rows: number;
}

export type TeardownResult = { statements: number } | { error: string };

function statements(config: LifecycleConfig): Array<z.infer<typeof statementSql>> {
  return Array.isArray(config) ? config : [config];
}

/** Runs setup; a failing statement is the user's to fix (one line naming it). Resolves to its result and the data for the VUs. */
export async function runSetup(provider: DatabaseProvider, config: LifecycleConfig): Promise<{ result: SetupResult; data: unknown }> {
  const list = statements(config);
  let rows: Record<string, unknown>[] = [];
  for (const [i, st] of list.entries()) {
    const where = `setup${Array.isArray(config) ? `[${i}]` : ''}`;
    const sql = querySql({ sql: st }, provider.dialect, where);
    try {
      rows = await provider.execute(sql);
    } catch (err) {
      throw new UserError(`provider "${provider.config.name}": ${where}: ${redact(errorMessage(err))}`);
    }
  }
  // Plain JSON only crosses to the workers and agents (dates become strings, bigints numbers as text).
  const data: unknown = JSON.parse(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return { result: { statements: list.length, rows: rows.length }, data };
}

/** Runs teardown; a failure is recorded (the run's data then remains), never thrown. */
export async function runTeardown(provider: DatabaseProvider, config: LifecycleConfig): Promise<TeardownResult> {
  const list = statements(config);
  for (const [i, st] of list.entries()) {
    const where = `teardown${Array.isArray(config) ? `[${i}]` : ''}`;
    try {
      await provider.execute(querySql({ sql: st }, provider.dialect, where));
    } catch (err) {
      return { error: `${where}: ${redact(errorMessage(err))}` };
    }
  }
  return { statements: list.length };
}
