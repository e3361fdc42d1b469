import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../../src/config/load.js';
import { buildPlan } from '../../src/plan/plan.js';
import { leftoverWindow } from '../../src/report/build.js';

function plan(interleave?: number) {
  const text = `providers:
  - name: mem
    provider: sqlite_memory
workload:
  - type: query
    sql: SELECT 1
profile:
  type: constant-vus
  vus: 2
  duration: 3s
`;
  return buildPlan({ scenario: parseScenario(text, 'scenario.yaml'), file: 'scenario.yaml', baseDir: '.' }, { interleave });
}

test('the window after the planned end (operations still in flight) is leftover, never one the load ran in', () => {
  const leftover = leftoverWindow({ blockStarts: [0] }, plan());
  assert.deepEqual(
    [0, 1, 2, 3].map((w) => leftover(w)),
    [false, false, false, true],
    '3 s of 1 s windows: windows 0–2 are planned, window 3 only holds the tail',
  );
});

test('interleaved: each block has its own planned end, counted from its first window', () => {
  // 3 s in 2 blocks of 1.5 s: block 0 ran windows 0–2 (its window 2 starts at 2 s, after 1.5 s), block 1 windows 3–5.
  const leftover = leftoverWindow({ blockStarts: [0, 3] }, plan(2));
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((w) => leftover(w)),
    [false, false, true, false, false, true],
  );
});
