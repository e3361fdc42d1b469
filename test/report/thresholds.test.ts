import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT, firstExitCode, runExitCode } from '../../src/cli/exit-code.js';
import { parseScenario } from '../../src/config/load.js';
import { parseThreshold, type Threshold } from '../../src/config/thresholds.js';
import { runPlan } from '../../src/engine/engine.js';
import { UserError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { WindowFigures } from '../../src/metrics/aggregate.js';
import { buildPlan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { evaluateThresholds, ThresholdWatch } from '../../src/report/thresholds.js';
import type { Report } from '../../src/report/types.js';
import { ROOT } from '../helpers/cli.js';

test('a threshold expression resolves into its metric, comparator and a limit in the metric unit', () => {
  assert.deepEqual(parseThreshold('p95 < 50ms'), { metric: 'p95', comparator: '<', limit: 50_000, unit: 'us' });
  assert.deepEqual(parseThreshold(' p99<=1.5s '), { metric: 'p99', comparator: '<=', limit: 1_500_000, unit: 'us' });
  assert.deepEqual(parseThreshold('mean < 800us'), { metric: 'mean', comparator: '<', limit: 800, unit: 'us' });
  assert.deepEqual(parseThreshold('error_rate < 0.1%'), { metric: 'error_rate', comparator: '<', limit: 0.001, unit: 'ratio' });
  assert.deepEqual(parseThreshold('error_rate < 0.02'), { metric: 'error_rate', comparator: '<', limit: 0.02, unit: 'ratio' });
  assert.deepEqual(parseThreshold('ops_per_sec > 1000'), { metric: 'ops_per_sec', comparator: '>', limit: 1000, unit: 'ops/s' });
  assert.deepEqual(parseThreshold('failed >= 0'), { metric: 'failed', comparator: '>=', limit: 0, unit: 'count' });
  assert.match(parseThreshold('p95 < 50') as string, /p95 needs a time unit/);
  assert.match(parseThreshold('p42 < 5ms') as string, /unknown metric "p42"/);
  assert.match(parseThreshold('ops_per_sec > 10ms') as string, /plain number/);
  assert.match(parseThreshold('error_rate < 150%') as string, /at most 100%/);
  assert.match(parseThreshold('p95 == 5ms') as string, /must read/);
});

const SCENARIO = `name: gates
providers:
  - { name: mem, provider: sqlite_memory }
workload:
  - { name: ok, type: query, sql: SELECT 1 }
  # Prepared fine, fails at every step: an error on each call, not a run that cannot start.
  - { name: overflow, type: query, sql: SELECT abs(-9223372036854775808) }
scenarios:
  - { name: warm, profile: { type: constant-vus, vus: 1, duration: 1s } }
  - { name: steady, profile: { type: constant-vus, vus: 1, duration: 1s } }
`;

function errorOf(text: string): string {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    assert.ok(err instanceof UserError);
    return err.message;
  }
  return assert.fail('no error');
}

test('a bad threshold is one line naming the file, the line and the entry', () => {
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - "p95 < 50"\n`),
    'x.yaml:12: thresholds[0]: "p95 < 50": p95 needs a time unit (us, ms or s), e.g. "p95 < 50ms"',
  );
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - { threshold: "p95 < 5ms", provider: nope }\n`),
    'x.yaml:12: thresholds[0].provider: no provider named "nope"',
  );
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - { threshold: "p95 < 5ms", operation: nope }\n`),
    'x.yaml:12: thresholds[0].operation: no operation named "nope"',
  );
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - { threshold: "p95 < 5ms", operation: ok, phase: warm }\n`),
    'x.yaml:12: thresholds[0].phase: give an operation or a phase, not both',
  );
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - { threshold: "p95 < 5ms", abortOnFial: true }\n`),
    'x.yaml:12: thresholds[0].abortOnFial: unknown field',
  );
  assert.equal(
    errorOf(`${SCENARIO}thresholds:\n  - { threshold: "p9 < 5ms" }\n`),
    'x.yaml:12: thresholds[0].threshold: "p9 < 5ms": unknown metric "p9"; one of p50, p90, p95, p99, p999, mean, max, error_rate, ops_per_sec, failed',
  );
});

let report: Report | undefined;
async function run(): Promise<Report> {
  const scenario = parseScenario(SCENARIO, 'inline');
  const result = await runPlan(buildPlan({ scenario, file: 'inline', baseDir: ROOT }, { workers: 0 }), { logger: silentLogger() });
  report ??= buildReport(result);
  return report;
}

function thresholds(lines: string): Threshold[] {
  return parseScenario(`${SCENARIO}thresholds:\n${lines}`, 'inline').thresholds!;
}

test('thresholds read the merged figures of their scope: the whole run, an operation, a phase; nothing measured fails', async () => {
  const r = await run();
  const p = r.providers[0]!;
  const overflow = p.operations.find((o) => o.operation === 'overflow')!;
  const warm = p.phases!.find((ph) => ph.phase === 'warm')!;
  // Each iteration picks one operation: about half fail, every one of them an overflow.
  assert.ok(overflow.failed > 0 && p.operations.find((o) => o.operation === 'ok')!.ok > 0);
  assert.equal(p.total.failed, overflow.failed);
  assert.ok(warm.failed > 0);
  const results = evaluateThresholds(
    r,
    thresholds(`  - "error_rate < 99%"
  - "error_rate < 1%"
  - { threshold: "failed < 1", operation: ok }
  - { threshold: "failed < 1", phase: warm }
  - { threshold: "p99 < 10s", operation: overflow }
  - { threshold: "ops_per_sec > 0", provider: mem, phase: steady }
  - { threshold: "p95 < 10s", phase: nothere }
`),
  );
  const got = results.map((t) => [t.expression, t.scope, t.measured, t.ok]);
  const errorRate = p.total.failed / p.total.count;
  assert.deepEqual(got, [
    ['error_rate < 99%', { provider: 'mem' }, errorRate, true],
    ['error_rate < 1%', { provider: 'mem' }, errorRate, false],
    ['failed < 1', { operation: 'ok', provider: 'mem' }, 0, true],
    ['failed < 1', { phase: 'warm', provider: 'mem' }, warm.failed, false],
    // Every call failed: no latency to compare, and the threshold fails rather than passes unseen.
    ['p99 < 10s', { operation: 'overflow', provider: 'mem' }, null, false],
    ['ops_per_sec > 0', { provider: 'mem', phase: 'steady' }, p.phases!.find((ph) => ph.phase === 'steady')!.opsPerSec, true],
    ['p95 < 10s', { phase: 'nothere', provider: 'mem' }, null, false],
  ]);
  assert.equal(results[0]!.limit, 0.99);
  // A provider of the plan that never ran (the run stopped before it) fails, never passes unseen.
  const ghost = evaluateThresholds(r, thresholds('  - "error_rate < 99%"\n'), ['mem', 'ghost']);
  assert.deepEqual(
    ghost.map((t) => [t.scope.provider, t.ok]),
    [
      ['mem', true],
      ['ghost', false],
    ],
  );
  assert.equal(ghost[1]!.measured, null);
  assert.equal(results[0]!.unit, 'ratio');
});

function window(w: number, fields: Partial<WindowFigures> = {}): WindowFigures {
  const latencyUs = {
    count: 100,
    min: 10,
    mean: 20_000,
    max: 30_000,
    stddev: 1,
    p50: 20_000,
    p90: 20_000,
    p95: 25_000,
    p99: 29_000,
    p999: 30_000,
  };
  return { window: w, phase: 'main', sources: 1, activeVUs: 1, ok: 100, failed: 0, latencyUs, operations: [], saturated: false, ...fields };
}

test('abortOnFail watches each window after its delay; failed counts from the start; the tail past the planned end is left out', () => {
  const watch = new ThresholdWatch(
    thresholds(`  - { threshold: "p95 < 1ms", abortOnFail: true, delayAbortEval: 2s }
  - { threshold: "failed < 3", abortOnFail: true }
  - { threshold: "p50 < 1ms", phase: spike, abortOnFail: true }
  - "p99 < 1us"
`),
    1000,
    10_000,
  );
  assert.equal(watch.check('mem', window(0, { failed: 1 })), undefined, 'within the delay');
  assert.equal(watch.check('mem', window(1, { failed: 1 })), undefined, 'still within the delay; 2 failed so far');
  assert.equal(watch.check('mem', window(2)), 'p95 < 1ms {provider=mem} broke in window 3: 25ms');
  assert.equal(watch.check('other', window(0, { failed: 3 })), 'failed < 3 {provider=other} broke in window 1: 3');
  assert.equal(watch.check('third', window(0, { phase: 'spike' })), 'p50 < 1ms {provider=third, phase=spike} broke in window 1: 20ms');
  assert.equal(watch.check('mem', window(10)), undefined, 'the leftover window after the planned end');
});

test('the exit code: 2 > 1 > 130 > 4 > 3 > 0, and a run its own abortOnFail stopped exits 4, not 130', async () => {
  assert.equal(firstExitCode([]), 0);
  assert.equal(firstExitCode([EXIT.degraded, EXIT.threshold]), 4);
  assert.equal(firstExitCode([EXIT.threshold, EXIT.interrupted]), 130);
  assert.equal(firstExitCode([EXIT.interrupted, EXIT.failed]), 1);
  assert.equal(firstExitCode([EXIT.failed, EXIT.badInput]), 2);
  const r = await run();
  const failedThreshold = evaluateThresholds(r, thresholds('  - "error_rate < 1%"\n'));
  const passed = evaluateThresholds(r, thresholds('  - "error_rate < 99%"\n'));
  assert.equal(runExitCode({ ...r, thresholds: passed }), 0);
  assert.equal(runExitCode({ ...r, thresholds: failedThreshold }), 4);
  assert.equal(runExitCode({ ...r, status: 'degraded', thresholds: failedThreshold }), 4);
  assert.equal(runExitCode({ ...r, status: 'degraded', thresholds: passed }), 3);
  assert.equal(runExitCode({ ...r, status: 'partial', thresholds: failedThreshold }), 130);
  assert.equal(runExitCode({ ...r, status: 'partial', abortedBy: 'p95 < 1ms {provider=mem} broke in window 3: 25ms' }), 4);
  assert.equal(runExitCode({ ...r, status: 'failed', thresholds: failedThreshold }), 1);
});
