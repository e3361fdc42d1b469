import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import type { DatabaseProvider } from '../providers/types.js';
import { redact } from '../util/secrets.js';
import { querySql } from './compile.js';
import { statementSql } from './schema.js';
import { type FunctionRef, loadScript, queryCalls, type ScriptContext } from './script.js';

/** A function of the user's module (`export` absent: its default export), run in the coordinator. */
const functionSchema = z.strictObject({
  module: z.string().min(1, 'must not be empty'),
  export: z.string().min(1, 'must not be empty').optional(),
});

/**
 * A scenario's `setup:` and `teardown:`: statements, or a module's function, run once per provider
 * by the coordinator, outside the measured windows. What setup yields goes to every VU (`setupData`):
 * the rows of its last statement, or what its function returned.
 */
export const lifecycleSchema = z.union([statementSql, z.array(statementSql).min(1, 'must list at least one statement'), functionSchema]);
export type LifecycleConfig = z.infer<typeof lifecycleSchema>;

/** What a setup or teardown function receives: the provider's calls and name (teardown also gets setup's data). */
export interface LifecycleContext<Data = unknown> extends Pick<ScriptContext, 'query' | 'tx'> {
  /** The provider's name in the scenario. */
  readonly provider: string;
  /** What setup returned (undefined in setup itself, and without a setup). */
  readonly data: Data;
}

export type LifecycleFunction<Data = unknown> = (ctx: LifecycleContext<Data>) => unknown;

export type SetupResult =
  | {
      statements: number;
      /** Rows the last statement returned: the data handed to every VU. */
      rows: number;
    }
  /** The function that ran, as `module#export`. */
  | { function: string };

export type TeardownResult = { statements: number } | { function: string } | { error: string };

function isFunction(config: LifecycleConfig): config is FunctionRef {
  return typeof config === 'object' && 'module' in config;
}

function statements(config: Exclude<LifecycleConfig, FunctionRef>): Array<z.infer<typeof statementSql>> {
  return Array.isArray(config) ? config : [config];
}

const described = (ref: FunctionRef): string => `${ref.module}#${ref.export ?? 'default'}`;

async function loadLifecycle(ref: FunctionRef, baseDir: string, where: string): Promise<LifecycleFunction> {
  return (await loadScript(ref, baseDir, where)) as unknown as LifecycleFunction;
}

/** Imports setup's and teardown's modules, so a missing module or export is bad input before any load. */
export async function checkLifecycle(scenario: { setup?: LifecycleConfig; teardown?: LifecycleConfig }, baseDir: string): Promise<void> {
  if (scenario.setup && isFunction(scenario.setup)) await loadLifecycle(scenario.setup, baseDir, 'setup');
  if (scenario.teardown && isFunction(scenario.teardown)) await loadLifecycle(scenario.teardown, baseDir, 'teardown');
}

function contextFor(provider: DatabaseProvider, data: unknown): LifecycleContext {
  return { ...queryCalls(provider.sessionProvider), provider: provider.config.name, data };
}

/** Runs setup; a failing statement or a throwing function is the user's to fix (one line naming it). Resolves to its result and the data for the VUs. */
export async function runSetup(
  provider: DatabaseProvider,
  config: LifecycleConfig,
  baseDir: string,
): Promise<{ result: SetupResult; data: unknown }> {
  const named = (what: string, err: unknown): UserError =>
    new UserError(`provider "${provider.config.name}": ${what}: ${redact(errorMessage(err))}`);
  if (isFunction(config)) {
    const fn = await loadLifecycle(config, baseDir, 'setup');
    let value: unknown;
    try {
      value = await fn(contextFor(provider, undefined));
    } catch (err) {
      throw named('setup', err);
    }
    return { result: { function: described(config) }, data: plainJson(value, provider.config.name) };
  }
  const list = statements(config);
  let rows: Record<string, unknown>[] = [];
  for (const [i, st] of list.entries()) {
    const where = `setup${Array.isArray(config) ? `[${i}]` : ''}`;
    const sql = querySql({ sql: st }, provider.dialect, where);
    try {
      rows = await provider.execute(sql);
    } catch (err) {
      throw named(where, err);
    }
  }
  // Plain JSON only crosses to the workers and agents (dates become strings, bigints numbers as text).
  const data: unknown = JSON.parse(JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return { result: { statements: list.length, rows: rows.length }, data };
}

/**
 * Setup's return value as every worker and agent will see it. What JSON would change (a Date, a
 * Map, an undefined field, a function) or cannot carry (a bigint, a cycle) is refused rather than
 * handed to the VUs altered.
 */
function plainJson(value: unknown, providerName: string): unknown {
  if (value === undefined) return undefined;
  const refuse = (why: string): UserError =>
    new UserError(`provider "${providerName}": setup: its return value must be plain JSON to reach every VU: ${why}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw refuse(errorMessage(err).split('\n')[0]!);
  }
  if (text === undefined) throw refuse(`a ${typeof value} has no JSON form`);
  const copy: unknown = JSON.parse(text);
  if (!isDeepStrictEqual(copy, value))
    throw refuse('JSON would change it (a Date, Map, Set, class instance, undefined, NaN or function inside?)');
  return copy;
}

/** Runs teardown; a failure is recorded (the run's data then remains), never thrown. */
export async function runTeardown(
  provider: DatabaseProvider,
  config: LifecycleConfig,
  baseDir: string,
  data: unknown,
): Promise<TeardownResult> {
  if (isFunction(config)) {
    try {
      const fn = await loadLifecycle(config, baseDir, 'teardown');
      await fn(contextFor(provider, data));
    } catch (err) {
      return { error: `teardown: ${redact(errorMessage(err))}` };
    }
    return { function: described(config) };
  }
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
