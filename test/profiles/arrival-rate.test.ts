import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ProviderReport, Report } from '../../src/report/types.js';
import { runCli, startCli, tempDir, selectOneScenario, writeScenario } from '../helpers/cli.js';
import { adminQuery, freshDatabase } from '../helpers/pg.js';

function readReport(file: string): Report {
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}

function assertArrivalsAddUp(p: ProviderReport): void {
  assert.ok(p.windows.length > 0);
  for (const w of p.windows) {
    assert.equal(w.intended, w.started! + w.dropped!, `window ${w.window}: intended = started + dropped`);
  }
  const sum = (f: (w: (typeof p.windows)[number]) => number): number => p.windows.reduce((n, w) => n + f(w), 0);
  assert.equal(
    sum((w) => w.intended!),
    p.arrivals!.intended,
  );
  assert.equal(
    sum((w) => w.started!),
    p.arrivals!.started,
  );
  assert.equal(
    sum((w) => w.dropped!),
    p.arrivals!.dropped,
  );
  assert.equal(p.arrivals!.started, p.total.ok + p.total.failed, 'every started arrival is counted once');
}

test('constant arrival rate on SQLite over 10 s: the rate is met within 1 % and every window adds up', async () => {
  const out = join(tempDir(), 'report.json');
  const file = selectOneScenario(`  type: constant-arrival-rate
  rate: 500
  timeUnit: 500ms
  duration: 10s
  preAllocatedVUs: 2
  maxVUs: 4
`);
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const report = readReport(out);
  const p = report.providers[0]!;
  assert.equal(report.model.kind, 'open');
  assert.equal(p.arrivals!.intended, 10_000, 'exactly rate × duration arrivals were intended, across both workers');
  assert.equal(p.arrivals!.dropped, 0);
  const achieved = p.arrivals!.started / 10;
  assert.ok(Math.abs(achieved - 1000) <= 10, `achieved ${achieved}/s`);
  assertArrivalsAddUp(p);
  // The two workers shared the one schedule: neither took a rounded rate of its own.
  assert.deepEqual(
    p.sources.map((s) => s.ok),
    [5000, 5000],
  );
  const { latencyUs, correctedLatencyUs } = p.total;
  assert.ok(correctedLatencyUs && correctedLatencyUs.count === latencyUs.count);
  assert.ok(correctedLatencyUs.max >= latencyUs.max, 'latency from the intended start is never shorter than service time');
  assert.match(r.stdout, /latency from the intended start \(corrected\):/);
  assert.match(
    r.stdout,
    /mem: intended 10,000, started 10,000, dropped 0 \(no free VU\); schedule lag avg [\d.]+ [µm]s, p99 [\d.]+ [µm]s, max/,
  );
});

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
  await adminQuery('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0)', [], db.name);
});
after(async () => {
  await db.drop();
});

/** Runs an arrival-rate scenario and holds a lock on the row it reads for ~1 s, from its second window on. */
async function runWithStall(profile: string): Promise<{ report: Report; stderr: string }> {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: \${TEST_DSN}
workload:
  - name: read_shared
    type: query
    sql: SELECT v FROM t WHERE id = 1 FOR SHARE
profile:
${profile}
`);
  const { child, result } = startCli(['run', file, '--workers', '1', '--out', out], { TEST_DSN: db.dsn });
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/\[\s+1s\]/.test(seen)) resolve();
    });
    child.on('close', () => resolve());
  });
  const locker = new pg.Client({ connectionString: db.dsn });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT v FROM t WHERE id = 1 FOR UPDATE');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await locker.query('COMMIT');
  } finally {
    await locker.end();
  }
  const r = await result;
  assert.equal(r.code, 0, r.stderr);
  return { report: readReport(out), stderr: r.stderr };
}

test('PostgreSQL, a row lock held ~1 s mid-run: corrected p99 shows the stall, service time does not', async () => {
  // At most 12 operations are in flight when the lock is taken: under 1 % of 2 400, so they
  // cannot move the service-time p99; the rest of the run leaves time to drain the backlog.
  const { report } = await runWithStall('  type: constant-arrival-rate\n  rate: 400\n  duration: 6s\n  preAllocatedVUs: 4\n  maxVUs: 12');
  const p = report.providers[0]!;
  assertArrivalsAddUp(p);
  assert.equal(p.arrivals!.intended, 2400);
  assert.equal(p.arrivals!.dropped, 0, 'the backlog waited for the lock instead of dropping');
  const service = p.total.latencyUs;
  const corrected = p.total.correctedLatencyUs!;
  assert.ok(corrected.p99 >= 900_000, `corrected p99 ${corrected.p99} µs reflects the ~1 s stall`);
  assert.ok(service.p99 < 300_000, `service p99 ${service.p99} µs: only the few operations in flight saw the lock`);
  assert.ok(service.max >= 900_000, 'those few did wait for the lock themselves');
  assert.ok(p.arrivals!.lagUs.max >= 900_000, 'queued arrivals started late: schedule lag shows it');
});

test('PostgreSQL, the same stall with too few VUs: late arrivals are dropped and counted', async () => {
  const { report, stderr } = await runWithStall(
    '  type: constant-arrival-rate\n  rate: 200\n  duration: 3s\n  preAllocatedVUs: 1\n  maxVUs: 1\n  dropAfter: 100ms',
  );
  const p = report.providers[0]!;
  assertArrivalsAddUp(p);
  assert.equal(p.arrivals!.intended, 600);
  assert.ok(p.arrivals!.dropped > 50, `dropped ${p.arrivals!.dropped}`);
  assert.ok(p.windows.some((w) => w.dropped! > 0));
  assert.match(stderr, /dropped [1-9]/);
});
