import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';

test('a worker whose event loop is blocked reports it, and its windows are flagged and warned about', async () => {
  const out = join(tempDir(), 'report.json');
  // Each operation holds the worker's thread for hundreds of milliseconds: timers run that late,
  // so an arrival schedule cannot be kept (open model: the delay is the generator's, not the database's).
  const file = writeScenario(`providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - name: blocking
    type: query
    sql: WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c
profile: { type: constant-arrival-rate, rate: 20, duration: 2s, preAllocatedVUs: 1, maxVUs: 1 }
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  for (const w of p.windows)
    assert.ok(w.generator && w.generator.cpu >= 0 && w.generator.cpu <= 1, `window ${w.window} has generator health`);
  const flagged = p.windows.filter((w) => w.saturated);
  assert.ok(flagged.length > 0, 'a blocked event loop is a saturated generator');
  for (const w of flagged) {
    const late = w.generator!.loopDelayP99Us >= 10_000;
    const busyAndBehind = w.generator!.cpu >= 0.95 && (w.lagUs?.p99 ?? 0) >= 1_000;
    assert.ok(late || busyAndBehind, `window ${w.window}: ${JSON.stringify(w.generator)}`);
  }
  assert.deepEqual(
    p.saturatedWindows,
    flagged.map((w) => w.window),
  );
  assert.match(r.stderr, /WARNING generator saturated \(event-loop delay p99 [\d.]+ ms, cpu \d+ %\)/);
  assert.match(r.stdout, /mem: WARNING: the load generator was saturated in windows ending at \d+s/);
});

test('a synchronous database on the closed model runs on the generator thread: a busy loop is not flagged', async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - name: blocking
    type: query
    sql: WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c
profile: { type: constant-vus, vus: 1, duration: 2s }
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.ok(
    p.windows.some((w) => w.generator!.loopDelayP99Us >= 10_000),
    'the loop was late',
  );
  assert.ok(
    p.windows.every((w) => w.generator!.inline && !w.saturated),
    'but the timed calls were not delayed by it',
  );
  assert.deepEqual(p.saturatedWindows, []);
});
