import { z } from 'zod';
import { UserError, errorMessage } from '../../errors.js';
import type { DatabaseProvider, Executable, SqlDialect, VuContext } from '../../providers/types.js';
import { seededRandom } from '../../stats/random.js';
import { fnvhash64, ScrambledZipfian, SkewedLatest } from '../../stats/zipf.js';
import { name, positiveInt } from '../../util/fields.js';
import { randomText } from '../params.js';
import { type BulkLoad, type LoadProgress, loadRows } from './load.js';

/**
 * YCSB's core workloads A–F (site.ycsb.workloads.CoreWorkload and the workloads/ files): the
 * `usertable` of `field0..N` text columns keyed by `"user" + fnvhash64(keynum)` (insertorder
 * hashed), read/update/insert/scan/read-modify-write in the workload's proportions, keys chosen
 * zipfian (scrambled), uniform or latest.
 */

export const YCSB_ACTIONS = ['read', 'update', 'insert', 'scan', 'readmodifywrite'] as const;
type Action = (typeof YCSB_ACTIONS)[number];
const DISTRIBUTIONS = ['zipfian', 'uniform', 'latest'] as const;
type Distribution = (typeof DISTRIBUTIONS)[number];

const MAX_FIELDS = 100;
const MAX_RECORDS = 1_000_000_000;

const tableShape = {
  /** recordcount: rows `stampede init` loads. */
  records: positiveInt().max(MAX_RECORDS, `must be at most ${MAX_RECORDS.toLocaleString('en-US')}`),
  fields: positiveInt().max(MAX_FIELDS, `must be at most ${MAX_FIELDS}`),
  fieldLength: positiveInt().max(100_000, 'must be at most 100,000'),
};

export const ycsbOperationSchema = z.strictObject({
  name: name.optional(),
  weight: z.number().positive('must be a positive number').optional(),
  type: z.literal('ycsb'),
  action: z.enum(YCSB_ACTIONS),
  distribution: z.enum(DISTRIBUTIONS),
  /** Scan lengths are uniform over 1..maxScanLength. */
  maxScanLength: positiveInt(),
  ...tableShape,
});
export type YcsbOperation = z.infer<typeof ycsbOperationSchema>;

/** The workloads/ files' proportions and request distributions. */
const CORE: Record<string, { mix: Partial<Record<Action, number>>; distribution: Distribution; maxScanLength?: number }> = {
  a: { mix: { read: 0.5, update: 0.5 }, distribution: 'zipfian' },
  b: { mix: { read: 0.95, update: 0.05 }, distribution: 'zipfian' },
  c: { mix: { read: 1 }, distribution: 'zipfian' },
  d: { mix: { read: 0.95, insert: 0.05 }, distribution: 'latest' },
  e: { mix: { scan: 0.95, insert: 0.05 }, distribution: 'zipfian', maxScanLength: 100 },
  f: { mix: { read: 0.5, readmodifywrite: 0.5 }, distribution: 'zipfian' },
};

/** `workload: {builtin: ycsb, workload: a, records: 1000}`; the table's shape and the distribution may be changed. */
export const ycsbWorkloadSchema = z
  .strictObject({
    builtin: z.literal('ycsb'),
    workload: z.enum(['a', 'b', 'c', 'd', 'e', 'f']),
    records: tableShape.records.optional(),
    fields: tableShape.fields.optional(),
    fieldLength: tableShape.fieldLength.optional(),
    distribution: z.enum(DISTRIBUTIONS).optional(),
  })
  .transform((w): YcsbOperation[] => {
    const core = CORE[w.workload]!;
    return YCSB_ACTIONS.filter((a) => core.mix[a] !== undefined).map((action) => ({
      name: action,
      weight: core.mix[action],
      type: 'ycsb',
      action,
      distribution: w.distribution ?? core.distribution,
      maxScanLength: core.maxScanLength ?? 1000,
      records: w.records ?? 1000,
      fields: w.fields ?? 10,
      fieldLength: w.fieldLength ?? 100,
    }));
  });

/** YCSB's buildKeyName with hashed insert order and no zero padding. */
export function ycsbKey(keynum: number): string {
  return `user${fnvhash64(keynum)}`;
}

function fieldNames(fields: number): string[] {
  return Array.from({ length: fields }, (_, i) => `field${i}`);
}

function statements(d: SqlDialect, op: YcsbOperation): Record<'read' | 'scan' | 'insert' | 'update', string[]> {
  const p = (n: number): string => d.placeholder(n);
  const fields = fieldNames(op.fields);
  return {
    read: [`SELECT * FROM usertable WHERE ycsb_key = ${p(1)}`],
    scan: [`SELECT * FROM usertable WHERE ycsb_key >= ${p(1)} ORDER BY ycsb_key LIMIT ${p(2)}`],
    insert: [`INSERT INTO usertable (ycsb_key, ${fields.join(', ')}) VALUES (${[0, ...fields].map((_, i) => p(i + 1)).join(', ')})`],
    // writeallfields=false: an update writes one field, chosen uniformly.
    update: fields.map((f) => `UPDATE usertable SET ${f} = ${p(1)} WHERE ycsb_key = ${p(2)}`),
  };
}

/**
 * The highest key inserted so far, as this worker knows it: the loaded records, then every key an
 * insert of this worker's VUs took (YCSB's acknowledged insert counter, per worker).
 */
interface KeySpace {
  latest: number;
}

/** CoreWorkload.nextKeynum: a key that exists, drawn as the request distribution says. */
function keyChooser(op: YcsbOperation, keys: KeySpace): (random: () => number) => number {
  switch (op.distribution) {
    case 'uniform':
      // Over the loaded records, as YCSB's UniformLongGenerator(insertstart, insertstart + insertcount − 1).
      return (random) => Math.floor(random() * op.records);
    case 'zipfian': {
      const zipf = new ScrambledZipfian(op.records);
      return (random) => zipf.next(random());
    }
    case 'latest': {
      const latest = new SkewedLatest(op.records);
      return (random) => latest.next(random(), keys.latest);
    }
  }
}

const spaces = new WeakMap<DatabaseProvider, KeySpace>();

/** One YCSB action as the call a VU makes. */
export function compileYcsb(provider: DatabaseProvider, op: YcsbOperation): Executable {
  const keys = spaces.get(provider) ?? { latest: op.records - 1 };
  spaces.set(provider, keys);
  const sql = statements(provider.dialect, op);
  const choose = keyChooser(op, keys);
  let values: unknown[] = [];
  const prepared = (text: string): Executable => provider.prepareQuery(text, () => values);
  const read = prepared(sql.read[0]!);
  const updates = sql.update.map(prepared);
  const update = (vu: VuContext, key: string): unknown => {
    const field = Math.floor(vu.random() * op.fields);
    values = [randomText(vu.random, op.fieldLength), key];
    return updates[field]!(vu);
  };
  switch (op.action) {
    case 'read':
      return (vu) => {
        values = [ycsbKey(choose(vu.random))];
        return read(vu);
      };
    case 'update':
      return (vu) => update(vu, ycsbKey(choose(vu.random)));
    case 'scan': {
      const scan = prepared(sql.scan[0]!);
      return (vu) => {
        values = [ycsbKey(choose(vu.random)), 1 + Math.floor(vu.random() * op.maxScanLength)];
        return scan(vu);
      };
    }
    case 'insert': {
      const insert = prepared(sql.insert[0]!);
      return (vu) => {
        // Unique across VUs without coordination: VU v's k-th insert takes records + k·VUs + v.
        const k = (vu.state.ycsbInserts as number | undefined) ?? 0;
        vu.state.ycsbInserts = k + 1;
        const keynum = op.records + k * vu.vus + vu.id;
        values = [ycsbKey(keynum), ...fieldNames(op.fields).map(() => randomText(vu.random, op.fieldLength))];
        const done = insert(vu);
        const acknowledge = (): void => void (keys.latest = Math.max(keys.latest, keynum));
        if (done instanceof Promise) return done.then(acknowledge);
        acknowledge();
        return done;
      };
    }
    case 'readmodifywrite':
      // A read, then an update of the same key, timed as one operation (not a transaction, as in YCSB).
      return async (vu) => {
        const key = ycsbKey(choose(vu.random));
        values = [key];
        await read(vu);
        await update(vu, key);
      };
  }
}

/** usertable with `records` rows of random text (a fixed seed: every load is the same), key after the load. */
export async function loadYcsb(provider: DatabaseProvider, op: YcsbOperation, progress: LoadProgress, parallel: number): Promise<BulkLoad> {
  const d = provider.dialect;
  const fields = fieldNames(op.fields);
  await provider.execute('DROP TABLE IF EXISTS usertable');
  await provider.execute(
    `CREATE TABLE usertable (ycsb_key ${d.types.key} NOT NULL, ${fields.map((f) => `${f} ${d.types.text}`).join(', ')})`,
  );
  const started = Date.now();
  const random = seededRandom(0);
  const rows = await loadRows(provider, {
    table: 'usertable',
    columns: ['ycsb_key', ...fields],
    count: op.records,
    row: (i) => [ycsbKey(i), ...fields.map(() => randomText(random, op.fieldLength))],
    progress,
    parallel,
  });
  const loadMs = Date.now() - started;
  await provider.execute('CREATE UNIQUE INDEX usertable_pkey ON usertable (ycsb_key)');
  return { rows, loadMs, totalMs: Date.now() - started };
}

export async function requireYcsbTable(provider: DatabaseProvider, records: number, initCommand: string): Promise<void> {
  let found: string;
  try {
    const [row] = await provider.execute('SELECT count(*) AS n FROM usertable');
    const n = Number(row?.n);
    // Inserts of earlier runs add rows: fewer than the records is what a missing load looks like.
    if (n >= records) return;
    found = `it holds ${n} rows`;
  } catch (err) {
    found = `usertable cannot be read: ${errorMessage(err).split('\n')[0]}`;
  }
  throw new UserError(
    `provider "${provider.config.name}": usertable is not loaded with ${records} records (${found}); run: ${initCommand}`,
  );
}
