import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { VuContext } from '../providers/types.js';
import { SkewedLatest, ZIPF_DEFAULT_S, ScrambledZipfian, Zipfian } from '../stats/zipf.js';
import { readUserFile } from '../util/files.js';

/**
 * A statement's parameters: fixed values, or generators drawn afresh for every call from the VU's
 * own seeded stream (pgbench's `\set aid random(1, 100000)`, YCSB's key choosers).
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const int = z.number().int('must be an integer').refine(Number.isSafeInteger, 'must be a safe integer');
const count = int.min(1, 'must be at least 1');
const skew = z
  .number()
  .positive('must be positive')
  .refine((s) => s !== 1, 'must not be 1')
  .optional();

const generatorSchema = z.union([
  /** Uniform over [lo, hi], both included. */
  z.strictObject({ int: z.tuple([int, int]).refine(([lo, hi]) => lo <= hi, 'must be [lo, hi] with lo ≤ hi') }),
  /** 1..n, 1 the most popular (P ∝ 1/k^s); scrambled spreads the popular keys over the range as YCSB does. */
  z.strictObject({ zipf: z.strictObject({ n: count, s: skew, scrambled: z.boolean().optional() }) }),
  /** 1..n, n (the most recently inserted) the most popular, as YCSB's latest distribution. */
  z.strictObject({ latest: z.strictObject({ n: count, s: skew }) }),
  /** start, start+1, … unique across VUs: VU v's k-th value is start + k·vus + v. */
  z.strictObject({ seq: int }),
  z.strictObject({ uuid: z.literal(true) }),
  /** One of the values, uniformly. */
  z.strictObject({ pick: z.array(scalar).min(1, 'must list at least one value') }),
  /** Lowercase letters and digits, of a length uniform in [min, max]. */
  z
    .strictObject({ text: z.strictObject({ min: int.min(0, 'must be 0 or more'), max: int.max(1_000_000, 'must be at most 1,000,000') }) })
    .refine((g) => g.text.min <= g.text.max, 'text: min must not exceed max'),
  /** A value of one column (by header name, or 0-based index) of a CSV file, from a uniformly chosen row. */
  z.strictObject({ csv: z.string().min(1), column: z.union([z.string().min(1), int.min(0)]) }),
]);
export type ParamGenerator = z.infer<typeof generatorSchema>;

export const paramsSchema = z.array(z.union([scalar, generatorSchema]));
export type ParamsConfig = z.infer<typeof paramsSchema>;

/** Draws one value for a VU. */
type Draw = (vu: VuContext) => unknown;

/** True when some parameter is a generator: the statement's values then change from call to call. */
export function variesPerCall(params: ParamsConfig | undefined): boolean {
  return (params ?? []).some((p) => p !== null && typeof p === 'object');
}

/**
 * The parameters as one call per VU that returns the values of the next statement. `baseDir`
 * resolves a CSV file's relative path (the scenario's directory); `where` names the statement in errors.
 */
export function compileParams(params: ParamsConfig, baseDir: string, where: string): (vu: VuContext) => unknown[] {
  const draws = params.map((p, i) => compileParam(p, baseDir, `${where}.params[${i}]`));
  return (vu) => draws.map((draw) => draw(vu));
}

function compileParam(p: ParamsConfig[number], baseDir: string, where: string): Draw {
  if (p === null || typeof p !== 'object') return () => p;
  if ('int' in p) return uniformInt(p.int[0], p.int[1]);
  if ('zipf' in p) {
    const { n, s = ZIPF_DEFAULT_S, scrambled } = p.zipf;
    if (scrambled) {
      const z = new ScrambledZipfian(n, s);
      return (vu) => z.next(vu.random()) + 1;
    }
    const z = new Zipfian(n, s);
    return (vu) => z.rank(vu.random()) + 1;
  }
  if ('latest' in p) {
    const z = new SkewedLatest(p.latest.n, p.latest.s);
    const top = p.latest.n - 1;
    return (vu) => z.next(vu.random(), top) + 1;
  }
  if ('seq' in p) return sequence(p.seq);
  if ('uuid' in p) return (vu) => uuidFrom(vu.random);
  if ('pick' in p) {
    const values = p.pick;
    return (vu) => values[Math.floor(vu.random() * values.length)];
  }
  if ('text' in p) {
    const length = uniformInt(p.text.min, p.text.max);
    return (vu) => randomText(vu.random, length(vu));
  }
  const values = csvColumn(isAbsolute(p.csv) ? p.csv : resolve(baseDir, p.csv), p.column, where);
  return (vu) => values[Math.floor(vu.random() * values.length)];
}

export function uniformInt(lo: number, hi: number): (vu: VuContext) => number {
  const span = hi - lo + 1;
  return (vu) => lo + Math.floor(vu.random() * span);
}

let sequences = 0;

/** Unique across every VU of the run without coordination: each VU takes every `vus`-th value. */
function sequence(start: number): Draw {
  const key = `seq${sequences++}`;
  return (vu) => {
    const k = (vu.state[key] as number | undefined) ?? 0;
    vu.state[key] = k + 1;
    return start + k * vu.vus + vu.id;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomText(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

const HEX = '0123456789abcdef';

/** A version-4 UUID from the VU's stream (so a seeded run repeats it); crypto's when no stream is given. */
export function uuidFrom(random?: () => number): string {
  if (!random) return randomUUID();
  let out = '';
  for (let i = 0; i < 32; i++) {
    let nibble = Math.floor(random() * 16);
    if (i === 12) nibble = 4;
    if (i === 16) nibble = 8 | (nibble & 3);
    out += HEX[nibble];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

/** One column of a CSV file (a header line first; quoted fields may hold commas and doubled quotes). */
function csvColumn(path: string, column: string | number, where: string): string[] {
  const rows = readUserFile(path, `${where}.csv`, 'the CSV file', 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map(csvFields);
  const header = rows.shift() ?? [];
  const index = typeof column === 'number' ? column : header.indexOf(column);
  if (index < 0 || index >= header.length) {
    throw new UserError(`${where}.column: no column ${JSON.stringify(column)} in ${path} (it has ${header.join(', ')})`);
  }
  if (rows.length === 0) throw new UserError(`${where}.csv: ${path} has no row under its header`);
  return rows.map((r) => r[index] ?? '');
}

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}
