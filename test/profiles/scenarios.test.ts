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
  assert.deepEqual(p.phases!.map((ph) => [ph.phase, ph.startMs, ph.endMs]), [
    ['warm', 0, 1000],
    ['steady', 1000, 2000],
    ['late/stage-1', 2500, 3500],
  ]);
  assert.deepEqual(p.windows.slice(0, 3).map((w) => w.phase), ['warm', 'steady', 'late/stage-1']);
  assert.equal(p.windows[0]!.activeVUs, 1);
  assert.equal(p.arrivals!.intended, 200, 'the arrival-rate scenario ran its whole schedule, starting at 1 s');
  assert.equal(p.phases![1]!.arrivals!.intended, 200);
  for (const ph of p.phases!) assert.ok(ph.ok > 0, `${ph.phase} ran`);
});

test('scenario lists are checked: one of profile or scenarios, and a start time after an open-ended one', async () => {
  const both = await runCli(['run', writeScenario(`${HEAD}profile: { type: constant-vus, vus: 1, duration: 1s }
scenarios:
  - { name: a, profile: { type: constant-vus, vus: 1, duration: 1s } }
`)]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^stampede: .*:5: profile: give either profile or scenarios, not both\n$/);

  const open = await runCli(['run', writeScenario(`${HEAD}scenarios:
  - { name: a, profile: { type: iterations, vus: 1, iterations: 10 } }
  - { name: b, profile: { type: constant-vus, vus: 1, duration: 1s } }
`)]);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /^stampede: .*: scenarios\[1\]\.startTime: is required after "a", whose profile has no planned end\n$/);

  const flag = await runCli(['run', writeScenario(`${HEAD}scenarios:
  - { name: a, profile: { type: constant-vus, vus: 1, duration: 1s } }
`), '--vus', '3']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--vus does not apply to profile "scenarios/);
});
