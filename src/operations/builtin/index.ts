import { z } from 'zod';
import type { DatabaseProvider } from '../../providers/types.js';
import type { OperationConfig } from '../schema.js';
import type { BulkLoad, LoadProgress } from './load.js';
import { loadYcsb, requireYcsbTable, type YcsbOperation, ycsbWorkloadSchema } from './ycsb.js';
import {
  type Consistency,
  loadTpcb,
  requireTpcbTables,
  type TpcbOperation,
  tpcbConsistency,
  tpcbSums,
  tpcbWorkloadSchema,
} from './tpcb.js';

/** `workload: {builtin: …}`: a standard workload, expanded into its operations at validation. */
export const builtinWorkloadSchema = z.discriminatedUnion('builtin', [tpcbWorkloadSchema, ycsbWorkloadSchema]);

/** What a run counted for one operation: ok, and failed with the outcome unknown (in doubt). */
export type OperationCounts = (operation: string) => { ok: number; inDoubt: number };

/** A built-in workload's tables: loaded by `stampede init`, checked before a run, checked again after it. */
export interface BuiltinData {
  readonly name: string;
  readonly scale: number;
  /** Drops and loads the tables, keys after the rows. */
  load(provider: DatabaseProvider, progress: LoadProgress, parallel: number): Promise<BulkLoad>;
  /** A UserError naming `initCommand` when the tables are missing or hold another scale. */
  requireLoaded(provider: DatabaseProvider, initCommand: string): Promise<void>;
  /** Reads what the consistency check compares; `check` compares it with a later read (TPC-B only). */
  snapshot?(provider: DatabaseProvider): Promise<unknown>;
  check?(provider: DatabaseProvider, before: unknown, counts: OperationCounts): Promise<Consistency>;
}

export type { Consistency } from './tpcb.js';

/** The built-in workload the operations belong to, if any (the scale of the first one, with another scale overriding it). */
export function builtinData(workload: readonly OperationConfig[], scaleOverride?: number): BuiltinData | undefined {
  const tpcb = workload.filter((op): op is TpcbOperation => op.type === 'tpcb');
  if (tpcb.length > 0) return tpcbData(tpcb, scaleOverride ?? tpcb[0]!.scale);
  const ycsb = workload.find((op): op is YcsbOperation => op.type === 'ycsb');
  if (ycsb) return ycsbData(scaleOverride === undefined ? ycsb : { ...ycsb, records: scaleOverride });
  return undefined;
}

/** YCSB's scale is its record count. */
function ycsbData(op: YcsbOperation): BuiltinData {
  return {
    name: 'ycsb',
    scale: op.records,
    load: (provider, progress, parallel) => loadYcsb(provider, op, progress, parallel),
    requireLoaded: (provider, initCommand) => requireYcsbTable(provider, op.records, initCommand),
  };
}

function tpcbData(ops: TpcbOperation[], scale: number): BuiltinData {
  const writers = ops.filter((op) => op.script !== 'select-only');
  return {
    name: 'tpcb',
    scale,
    load: (provider, progress, parallel) => loadTpcb(provider, scale, progress, parallel),
    requireLoaded: (provider, initCommand) => requireTpcbTables(provider, scale, initCommand),
    snapshot: (provider) => tpcbSums(provider),
    async check(provider, before, counts) {
      const counted = writers.reduce(
        (sum, op) => {
          const c = counts(op.name ?? op.script);
          return { ok: sum.ok + c.ok, inDoubt: sum.inDoubt + c.inDoubt };
        },
        { ok: 0, inDoubt: 0 },
      );
      const onlyTpcbLike = writers.every((op) => op.script === 'tpcb-like');
      return tpcbConsistency(before as Awaited<ReturnType<typeof tpcbSums>>, await tpcbSums(provider), { ...counted, onlyTpcbLike });
    },
  };
}
