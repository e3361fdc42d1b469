import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { assertOneConnectionSetup, sampleBackends } from '../helpers/backends.js';
import { runCli, tempDir, selectOneScenario, writeScenario } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/pg.js';

test('ramping-vus on SQLite: active VUs per window follow the stages, and the capacity is reported', async () => {
  const out = join(tempDir(), 'report.json');
  const file = selectOneScenario(`  type: ramping-vus
  startVUs: 2
  thinkTime: 1ms
  sloP95: 200ms
  stages:
    - { duration: 1200ms, target: 2 }
    - { duration: 10ms, target: 6 }
    - { duration: 1790ms, target: 6 }
    - { duration: 10ms, target: 3 }
    - { duration: 1490ms, target: 3 }
`);
  const r = await runCli(['run', file, '--workers', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  const vus = p.windows.map((w) => w.activeVUs);
  // Windows wholly inside a stage run its VUs (split 1+1, 3+3, 2+1 over two workers); a
  // window where the count changes reports its peak, and is labelled by the stage at its middle.
  assert.equal(vus[0], 2, `VUs per window: ${vus.join(', ')}`);
  assert.equal(vus[1], 6);
  assert.equal(vus[2], 6);
  assert.equal(vus[3], 6);
  assert.equal(vus[4], 3);
  assert.deepEqual(
    p.windows.slice(0, 5).map((w) => w.phase),
    ['stage-1', 'stage-3', 'stage-3', 'stage-5', 'stage-5'],
  );
  assert.deepEqual(
    p.phases!.map((ph) => ph.phase),
    ['stage-1', 'stage-2', 'stage-3', 'stage-4', 'stage-5'],
  );
  const ramp = p.ramp!;
  assert.deepEqual(
    ramp.steps.map((s) => [s.phase, s.users]),
    [
      ['stage-1', 2],
      ['stage-3', 6],
      ['stage-5', 3],
    ],
  );
  assert.equal(ramp.sloP95Us, 200_000);
  assert.deepEqual(ramp.capacity, { users: 6, phase: 'stage-3' });
  for (const s of ramp.steps) assert.ok(s.opsPerSec > 0 && s.errorRate === 0);
  assert.match(r.stdout, /mem: concurrent-user capacity 6 users \(stage-3: p95 under 200\.000 ms, errors under 1 %\)/);
  assert.match(r.stdout, /mem by phase:\nphase\s+target\s+vus\s+ops\/s/);
  assert.match(r.stderr, /\[\s+3s\] mem: stage-3, vus 6,/);
});

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
});
after(async () => {
  await db.drop();
});

test('spike on PostgreSQL: three labelled phases, each reported, and a recovery time', async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: \${TEST_DSN}
workload:
  - name: sleep
    type: query
    sql: SELECT pg_sleep(0.02)
profile:
  type: spike
  vus: 2
  spikeVus: 12
  spikeStart: 1s
  spikeDuration: 1s
  duration: 4s
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live'], { TEST_DSN: db.dsn });
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.deepEqual(
    p.windows.slice(0, 4).map((w) => w.phase),
    ['before-spike', 'spike', 'recovery', 'recovery'],
  );
  assert.deepEqual(
    p.windows.slice(0, 4).map((w) => w.activeVUs),
    [2, 12, 2, 2],
  );
  const [before, spike, recovery] = p.phases!;
  assert.deepEqual([before!.phase, spike!.phase, recovery!.phase], ['before-spike', 'spike', 'recovery']);
  for (const ph of p.phases!) {
    assert.ok(ph.latencyUs.p95 >= 20_000, `${ph.phase}: every operation sleeps 20 ms`);
    const windows = p.windows.filter((w) => w.phase === ph.phase);
    assert.equal(
      ph.ok,
      windows.reduce((n, w) => n + w.ok, 0),
      `${ph.phase} is reported from its own windows`,
    );
    assert.equal(ph.peakVUs, ph.target);
  }
  assert.ok(spike!.opsPerSec > 2 * before!.opsPerSec, 'six times the VUs sleeping in the server: several times the throughput');
  assert.equal(
    p.phases!.reduce((n, ph) => n + ph.ok, 0),
    p.total.ok,
    'the phases cover the whole run',
  );
  // Whether the p95 comes back within 20 % depends on the machine's noise (a unit test pins the
  // rule down, test/report/recovery.test.ts); which window the report takes, and how it says so, does not.
  const s = p.spike!;
  assert.equal(s.baselineP95Us, before!.latencyUs.p95);
  assert.equal(s.thresholdP95Us, Math.round(s.baselineP95Us * 1.2 * 1000) / 1000);
  const back = p.windows.find((w) => w.startMs >= spike!.endMs && w.ok > 0 && w.latencyUs.p95 <= s.thresholdP95Us);
  assert.equal(s.recovered, back !== undefined);
  assert.equal(s.recoveryMs, back ? back.startMs + 1000 - spike!.endMs : null);
  assert.match(
    r.stdout,
    back
      ? /pg: recovered [\d.]+ s after the spike \(p95 back under [\d.]+ [µm]s, pre-spike p95 [\d.]+ [µm]s \+ 20 %\)/
      : /pg: never recovered: p95 stayed above [\d.]+ [µm]s \(pre-spike p95 [\d.]+ [µm]s \+ 20 %\)/,
  );
});

test('a quiet phase longer than the pool idle timeout (10 s) keeps its connections: the spike opens none', async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: \${TEST_DSN}
workload:
  - type: query
    sql: SELECT pg_sleep(0.05)
profile: { type: spike, vus: 1, spikeVus: 3, spikeStart: 10500ms, spikeDuration: 500ms, duration: 11500ms }
`);
  const { result, samples } = await sampleBackends(db.name, () =>
    runCli(['run', file, '--workers', '1', '--out', out, '--no-live'], { TEST_DSN: db.dsn }),
  );
  assert.equal(result.code, 0, result.stderr);
  assertOneConnectionSetup(samples, 11_500, 'spike');
});
