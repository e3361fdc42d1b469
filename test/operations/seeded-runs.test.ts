import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { adminQuery, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();
const VUS = 4;

/** Each call records its VU's sequence number (VU v's k-th call: k·VUS + v) beside the values it drew. */
const scenario = (seed: number | undefined): string => `name: seeded
${seed === undefined ? '' : `seed: ${seed}`}
providers:
  - name: pg
    provider: postgresql
    dsn: \${TEST_DSN}
workload:
  - name: record
    type: query
    sql: INSERT INTO seen (run, seq, n, z, u) VALUES ($1, $2, $3, $4, $5)
    params: ['\${RUN}', {seq: 0}, {int: [1, 1000000000]}, {zipf: {n: 1000}}, {uuid: true}]
profile:
  type: iterations
  vus: ${VUS}
  iterations: 800
`;

type Draws = Map<number, string>;

async function run(name: string, seed: number | undefined, workers: number, flags: string[] = []): Promise<Draws> {
  const out = join(tempDir(), 'report.json');
  const args = ['run', writeScenario(scenario(seed)), '--workers', String(workers), '--no-live', '--out', out, ...flags];
  const r = await runCli(args, { TEST_DSN: db.dsn, RUN: name });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.providers[0]!.total.ok, 800);
  assert.equal(report.plan.seed, seed ?? 42);
  const rows = await adminQuery<{ seq: number; n: number; z: number; u: string }>(
    'SELECT seq, n, z, u FROM seen WHERE run = $1',
    [name],
    db.name,
  );
  assert.equal(rows.length, 800);
  return new Map(rows.map((r) => [r.seq, `${r.n}/${r.z}/${r.u}`]));
}

test('the same seed gives every VU the same values whatever the split; another seed, others', async () => {
  await adminQuery('CREATE TABLE seen (run text, seq int, n int, z int, u text, UNIQUE (run, seq))', [], db.name);
  const one = await run('one-worker', 42, 1);
  const two = await run('two-workers', 42, 2);
  // The flag sets the seed as the scenario's seed: does.
  const inline = await run('in-process', undefined, 0, ['--seed', '42']);
  const other = await run('other-seed', 43, 2);
  // A shared iteration budget lets one VU run more calls than another: compare the calls both runs
  // made (a VU's k-th call in each), which must be most of them.
  const compare = (a: Draws, b: Draws): { same: number; common: number } => {
    let same = 0;
    let common = 0;
    for (const [seq, values] of a) {
      if (!b.has(seq)) continue;
      common++;
      if (b.get(seq) === values) same++;
    }
    return { same, common };
  };
  for (const [label, b] of [
    ['two workers', two],
    ['in process', inline],
  ] as const) {
    const { same, common } = compare(one, b);
    assert.ok(common >= 400, `${label}: only ${common} calls in common`);
    assert.equal(same, common, `${label}: ${common - same} of ${common} calls drew other values`);
  }
  const { same } = compare(one, other);
  assert.equal(same, 0, 'another seed repeated some draws');
  // Sequence numbers are unique across VUs and workers.
  for (const draws of [one, two, inline]) for (const seq of draws.keys()) assert.ok(seq >= 0 && seq < 800 + VUS * 800);
});

test('interleaved blocks never repeat a sequence value or a stream of an earlier block', async () => {
  // UNIQUE (run, seq): a value drawn twice would fail its insert, and the run would count it failed.
  const draws = await run('interleaved', 42, 2, ['--interleave', '2']);
  assert.equal(new Set(draws.values()).size, 800);
});
