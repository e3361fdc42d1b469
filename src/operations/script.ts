import { UserError, errorMessage } from '../errors.js';
import type { DatabaseProvider, Executable, Session, SessionProvider, VuContext } from '../providers/types.js';
import { importUserModule, modulePath } from '../util/modules.js';
import type { OperationConfig } from './schema.js';
import { serialized } from './serialized.js';

export type ScriptOperation = Extract<OperationConfig, { type: 'script' }>;
export type Row = Record<string, unknown>;

/** Statements a script runs: on a pooled connection of its own, or inside `tx` on the transaction's. */
export interface ScriptQuery {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** What a script operation's function receives on every call. */
export interface ScriptContext<Data = unknown, State extends object = Record<string, unknown>> extends ScriptQuery {
  /** Runs `body` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  tx<T>(body: (t: ScriptQuery) => Promise<T>): Promise<T>;
  /** Times `body` into the operation's part `name`: its own histogram and percentiles in the report. */
  time<T>(name: string, body: () => T | Promise<T>): Promise<T>;
  /** The VU making the call: its index among all VUs of the provider's run, from 0 (the same however VUs are split). */
  readonly vu: number;
  /** Operations this VU started before this one. */
  readonly iteration: number;
  /** The VU's own object, kept from one call to the next. */
  readonly state: State;
  /** What the scenario's setup returned (undefined without one). */
  readonly data: Data;
  /** The VU's random numbers in [0, 1). */
  readonly random: () => number;
}

/** The function a script operation names; the whole call is timed as the operation, and a throw counts as its failure. */
export type ScriptFunction<Data = unknown> = (ctx: ScriptContext<Data>) => unknown;

/** Functions given to the library itself: they exist only in the thread that was given them. */
const INLINE = 'stampede-inline:';
const inline = new Map<string, ScriptFunction>();

/** A function as an operation for an in-process run (workers: 0): it cannot be imported by another thread. */
export function inlineScript(fn: ScriptFunction): ScriptOperation {
  const module = `${INLINE}${inline.size + 1}`;
  inline.set(module, fn);
  return { type: 'script', module, export: fn.name || undefined };
}

export function isInlineScript(op: OperationConfig): boolean {
  return op.type === 'script' && op.module.startsWith(INLINE);
}

/**
 * Imports every script operation's module in this thread and finds its function, by the
 * operation's index. The coordinator calls it before any load (so a bad module is one line and
 * exit 2), and so does every worker thread and agent, for its own copy.
 */
export async function loadScripts(workload: readonly OperationConfig[], baseDir: string): Promise<Array<ScriptFunction | undefined>> {
  return Promise.all(workload.map(async (op, i) => (op.type === 'script' ? loadScript(op, baseDir, `workload[${i}]`) : undefined)));
}

/** A user's function named by its module and export (the default export without one). */
export interface FunctionRef {
  module: string;
  export?: string | undefined;
}

/** Imports the module in this thread and finds the function; a missing module or export is one line naming `where`. */
export async function loadScript(op: FunctionRef, baseDir: string, where: string): Promise<ScriptFunction> {
  if (op.module.startsWith(INLINE)) {
    const fn = inline.get(op.module);
    if (!fn) throw new UserError(`${where}: a function given to the library runs only in its own thread: run with workers: 0`);
    return fn;
  }
  const name = op.export ?? 'default';
  let exported: Record<string, unknown>;
  try {
    exported = await importUserModule(modulePath(op.module, baseDir));
  } catch (err) {
    throw new UserError(`${where}.module: cannot load ${op.module}: ${errorMessage(err).split('\n')[0]}`);
  }
  const fn = exported[name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(exported).filter((k) => typeof exported[k] === 'function');
    const has = functions.length > 0 ? `its functions: ${functions.join(', ')}` : 'it exports no function';
    throw new UserError(`${where}.export: ${op.module} has no exported function "${name}" (${has})`);
  }
  return fn as ScriptFunction;
}

export interface ScriptEnvironment {
  data: unknown;
  recordPart: (part: string, elapsedNs: bigint) => void;
}

/**
 * A script's function as the call a VU makes. Each VU gets its context once (its `state` lives as
 * long as the VU); the call itself only updates the iteration.
 */
export function compileScript(provider: DatabaseProvider, fn: ScriptFunction, env: ScriptEnvironment): Executable {
  const shared = sharedCalls(provider.sessionProvider, env.recordPart);
  const contexts = new WeakMap<VuContext, { iteration: number }>();
  const contextFor = (vu: VuContext): { iteration: number } => {
    const ctx = { ...shared, vu: vu.id, iteration: 0, state: {}, data: env.data, random: vu.random };
    contexts.set(vu, ctx);
    return ctx;
  };
  // The iteration is read when the VU makes the call (the VU has counted this one already): a
  // call that waits its turn must not see a later count.
  const run = (vu: VuContext, iteration: number): unknown => {
    const ctx = contexts.get(vu) ?? contextFor(vu);
    ctx.iteration = iteration;
    return fn(ctx as ScriptContext);
  };
  // One connection per worker (better-sqlite3): a script's statements must not interleave with another VU's transaction.
  const call = provider.dialect.oneConnectionPerHandle ? serialized(provider, run) : run;
  return (vu) => call(vu, vu.iteration - 1);
}

/** The context's calls, the same for every VU of the operation (plain functions: a script may destructure them). */
function sharedCalls(sessions: SessionProvider, recordPart: ScriptEnvironment['recordPart']): Pick<ScriptContext, 'query' | 'tx' | 'time'> {
  return {
    ...queryCalls(sessions),
    time: async (name, body) => {
      const t0 = process.hrtime.bigint();
      const result = await body();
      recordPart(name, process.hrtime.bigint() - t0);
      return result;
    },
  };
}

/** `query` and `tx` on the provider's sessions: what a script operation and a setup or teardown function call. */
export function queryCalls(sessions: SessionProvider): Pick<ScriptContext, 'query' | 'tx'> {
  const onSession = async <T>(body: (s: Session) => Promise<T>): Promise<T> => {
    const session = await sessions.createSession();
    try {
      return await body(session);
    } finally {
      await sessions.closeSession(session);
    }
  };
  return {
    query: (sql, params = []) => onSession((s) => s.query(sql, params)),
    tx: (body) =>
      onSession(async (s) => {
        await sessions.beginTransaction(s);
        try {
          const result = await body({ query: (sql, params = []) => s.query(sql, params) });
          await sessions.commitTransaction(s);
          return result;
        } catch (err) {
          await sessions.rollbackTransaction(s).catch(() => {});
          throw err;
        }
      }),
  };
}
