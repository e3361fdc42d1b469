import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';

const HEAD = `providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - { type: query, sql: SELECT 1 }
`;

test('several scenarios in one file run one after another or at their start time, each its own phase', async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`${HEAD}scenarios:
  - name: warm
    profile: { type: constant-vus, vus: 1, duration: 1s, thinkTime: 1ms }
  - name: steady
    profile: { type: constant-arrival-rate, rate: 200, duration: 1s, preAllocatedVUs: 1 }
  - name: late
    startTime: 2500ms
    profile: { type: ramping-vus, stages: [{ duration: 1s, target: 2 }], thinkTime: 1ms }
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const p = report.providers[0]!;
  assert.equal(report.model.kind, 'open', 'one arrival-rate scenario makes the run open-model');
  assert.deepEqual(
    p.phases!.map((ph) => [ph.phase, ph.startMs, ph.endMs]),
    [
      ['warm', 0, 1000],
      ['steady', 1000, 2000],
      ['late/stage-1', 2500, 3500],
    ],
  );
  assert.deepEqual(
    p.windows.slice(0, 3).map((w) => w.phase),
    ['warm', 'steady', 'late/stage-1'],
  );
  // Each window holds what the plan put in it, however late its timer fires on a busy machine:
  // [VUs, arrivals]; "late" ramps to 1 VU by 2750 ms and to 2 by 3250 ms.
  assert.deepEqual(
    p.windows.slice(0, 4).map((w) => [w.activeVUs, w.intended]),
    [
      [1, 0],
      [1, 200],
      [1, 0],
      [2, 0],
    ],
  );
  assert.equal(p.arrivals!.intended, 200, 'the arrival-rate scenario ran its whole schedule, starting at 1 s');
  assert.deepEqual(
    p.phases!.map((ph) => ph.arrivals!.intended),
    [0, 200, 0],
  );
  for (const ph of p.phases!) assert.ok(ph.ok > 0, `${ph.phase} ran`);
});

test('scenario lists are checked: one of profile or scenarios, and a start time after an open-ended one', async () => {
  const both = await runCli([
    'run',
    writeScenario(`${HEAD}profile: { type: constant-vus, vus: 1, duration: 1s }
scenarios:
  - { name: a, profile: { type: constant-vus, vus: 1, duration: 1s } }
`),
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^stampede: .*:5: profile: give either profile or scenarios, not both\n$/);

  const open = await runCli([
    'run',
    writeScenario(`${HEAD}scenarios:
  - { name: a, profile: { type: iterations, vus: 1, iterations: 10 } }
  - { name: b, profile: { type: constant-vus, vus: 1, duration: 1s } }
`),
  ]);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /^stampede: .*: scenarios\[1\]\.startTime: is required after "a", whose profile has no planned end\n$/);

  const flag = await runCli([
    'run',
    writeScenario(`${HEAD}scenarios:
  - { name: a, profile: { type: constant-vus, vus: 1, duration: 1s } }
`),
    '--vus',
    '3',
  ]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--vus does not apply to profile "scenarios/);
});

test('a busy thread keeps every arrival and VU change in the window it was planned for', async () => {
  // Each operation holds the worker's thread for about 20 ms (synchronous SQLite), so window
  // timers, scenario starts and arrivals due at a window boundary all fire late, together.
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - type: query
    sql: WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c
scenarios:
  - name: first
    profile: { type: constant-vus, vus: 1, duration: 1500ms }
  - name: second
    profile: { type: constant-vus, vus: 1, duration: 1500ms }
  - name: arrivals
    startTime: 0
    profile: { type: constant-arrival-rate, rate: 10, duration: 3s, preAllocatedVUs: 1 }
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  const windows = p.windows.slice(0, 3);
  // 10 arrivals are due in each window, the first of each exactly at its start.
  assert.deepEqual(
    windows.map((w) => w.intended),
    [10, 10, 10],
    'arrivals per window',
  );
  // One closed VU at a time ("second" takes over from "first" at 1500 ms) plus one arrival's VU.
  assert.deepEqual(
    windows.map((w) => w.activeVUs),
    [2, 2, 2],
    'VUs per window',
  );
  assert.equal(p.arrivals!.intended, 30);
});
