import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { selectOneScenario, startCli, tempDir, writeScenario } from '../helpers/cli.js';

/** Runs a scenario on one worker thread; a hang guard only, never a timing assertion. */
async function runOnOneThread(file: string): Promise<Report['providers'][number]> {
  const out = join(tempDir(), 'report.json');
  const run = startCli(['run', file, '--workers', '1', '--out', out, '--no-live']);
  const guard = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  const r = await run.result.finally(() => clearTimeout(guard));
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const p = report.providers[0]!;
  assert.equal(
    p.windows.reduce((n, w) => n + w.ok, 0),
    p.total.ok,
    'every operation is in a window',
  );
  return p;
}

for (const vus of [4000, 20_000]) {
  test(`${vus} VUs on synchronous SQLite, one thread: one window per planned second, the run ends on time, and the generator is flagged`, async () => {
    const p = await runOnOneThread(selectOneScenario(`  type: constant-vus\n  vus: ${vus}\n  duration: 4s`));
    // The window timers fire while the VUs run: each planned second is its own window, with all
    // its VUs (a stop that lands just after a boundary may leave a last, partial window).
    assert.ok(p.windows.length === 4 || p.windows.length === 5, `${p.windows.length} windows`);
    for (const w of p.windows.slice(0, 4)) assert.ok(w.ok > 0 && w.activeVUs === vus, `window ${w.window}: ${w.ok} ok, ${w.activeVUs} VUs`);
    // Each VU waits for thousands of others to take their turn: the generator sets the pace. (The
    // first window is left out: when the worker thread starts late on a loaded machine, it may
    // close before any VU has had its turn back, so no wait is measured in it yet.)
    for (const w of p.windows.slice(1, 4)) {
      assert.ok(
        w.generator!.inline && w.generator!.threadWaitP99Us! >= 50_000 && w.saturated,
        `window ${w.window}: ${JSON.stringify(w.generator)}`,
      );
    }
    if (p.windows[4]) assert.ok(p.windows[4].ok < p.windows[3]!.ok, 'a partial last window');
    // A hang guard, not a timing assertion: before, 20 000 VUs did not finish in 60 s.
    assert.ok(p.durationSec < 30, `ran ${p.durationSec} s`);
    assert.deepEqual(
      p.saturatedWindows,
      p.windows.filter((w) => w.saturated).map((w) => w.window),
    );
  });
}

test('a few VUs on synchronous SQLite share the thread finely: not flagged', async () => {
  const p = await runOnOneThread(selectOneScenario('  type: constant-vus\n  vus: 4\n  duration: 2s'));
  for (const w of p.windows) assert.ok(w.generator!.inline && w.generator!.threadWaitP99Us! < 50_000, JSON.stringify(w.generator));
  assert.deepEqual(p.saturatedWindows, []);
});

test('the open model on synchronous SQLite behind its schedule still gives the event loop its turns', async () => {
  // Each operation holds the thread about 4 ms: at 400 a second the generator falls behind and
  // starts arrivals back to back, with VUs to spare.
  const p = await runOnOneThread(
    writeScenario(`providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - { type: query, sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT count(*) FROM c" }
profile: { type: constant-arrival-rate, rate: 400, duration: 2s, preAllocatedVUs: 20000 }
`),
  );
  assert.ok(p.windows.length >= 2, `${p.windows.length} windows`);
  for (const w of p.windows.slice(0, 2)) {
    // Before: the loop ran 512 arrivals (2 s) between turns, so the first window held them all.
    assert.ok(w.started! > 0, `window ${w.window} started arrivals`);
    assert.ok(w.generator!.loopDelayP99Us < 500_000, `window ${w.window}: event-loop delay p99 ${w.generator!.loopDelayP99Us} µs`);
  }
  assert.equal(p.arrivals!.intended, 800);
});
