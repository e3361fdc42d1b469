import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';
import { validateJunit } from './helpers/junit.js';
import { SECRET, useFreshDatabase } from './helpers/pg.js';

const db = useFreshDatabase();

/** Every call sleeps 20 ms on the server: its p95 is at least 20 ms whatever the machine's load. */
function sleepScenario(thresholds: string, profile = '{ type: iterations, vus: 2, iterations: 40 }'): string {
  return writeScenario(`name: gated
providers:
  - { name: pg, provider: postgresql, dsn: "\${TEST_DSN}" }
workload:
  - name: nap
    type: query
    sql: SELECT pg_sleep(0.02)
profile: ${profile}
thresholds:
${thresholds}`);
}

test('a threshold below the measured p95 fails with exit 4, one above passes; the console, JUnit and the Markdown summary show each with its value', async () => {
  const dir = tempDir();
  const [out, junit, md] = [join(dir, 'r.json'), join(dir, 'junit.xml'), join(dir, 'summary.md')];
  const file = sleepScenario(`  - "p95 < 1ms"
  - "p95 < 5s"
  - { threshold: "error_rate < 0.1%", operation: nap }
`);
  const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live', '--junit', junit, '--summary-md', md], {
    TEST_DSN: db.dsn,
  });
  assert.equal(r.code, 4, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.status, 'complete');
  const p95 = report.providers[0]!.total.latencyUs.p95;
  assert.ok(p95 >= 20_000, String(p95));
  assert.deepEqual(
    report.thresholds!.map((t) => [t.expression, t.scope, t.limit, t.measured, t.ok]),
    [
      ['p95 < 1ms', { provider: 'pg' }, 1000, p95, false],
      ['p95 < 5s', { provider: 'pg' }, 5_000_000, p95, true],
      ['error_rate < 0.1%', { operation: 'nap', provider: 'pg' }, 0.001, 0, true],
    ],
  );
  const shown = `${+(p95 / 1000).toPrecision(4)}ms`;
  assert.ok(r.stdout.includes(`thresholds: 1 of 3 failed\n  FAILED  p95 < 1ms {provider=pg}  measured ${shown}\n`), r.stdout);
  assert.ok(r.stdout.includes(`  ok      p95 < 5s {provider=pg}  measured ${shown}\n`), r.stdout);

  validateJunit(junit);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuites name="stampede" tests="3" failures="1" errors="0"/);
  assert.equal(xml.match(/<testcase /g)?.length, 3);
  assert.ok(
    xml.includes(
      `<testcase name="p95 &lt; 1ms {provider=pg}" classname="stampede.thresholds.pg" time="0">\n      <failure message="measured ${shown}"`,
    ),
  );

  const summary = readFileSync(md, 'utf8');
  assert.ok(summary.includes(`| ❌ | \`p95 < 1ms {provider=pg}\` | ${shown} |`), summary);
  assert.ok(summary.includes(`| ✅ | \`p95 < 5s {provider=pg}\` | ${shown} |`), summary);
  assert.ok(summary.includes('| ✅ | `error_rate < 0.1% {provider=pg, operation=nap}` | 0% |'), summary);
  for (const text of [r.stdout, r.stderr, xml, summary]) assert.ok(!text.includes(SECRET));

  const pass = await runCli(['run', sleepScenario('  - "p95 < 5s"\n'), '--workers', '1', '--out', join(dir, 'pass.json'), '--no-live'], {
    TEST_DSN: db.dsn,
  });
  assert.equal(pass.code, 0, pass.stderr);
  assert.match(pass.stdout, /thresholds: all passed\n {2}ok {6}p95 < 5s \{provider=pg\} {2}measured [\d.]+ms\n/);
});

test('abortOnFail stops the run at the first window that breaks it, after its delay; the report says which and why; exit 4', async () => {
  const out = join(tempDir(), 'r.json');
  // Planned for 60 s in 500 ms windows: the threshold breaks in the first window it is checked on.
  const file = sleepScenario(
    '  - { threshold: "p95 < 1ms", abortOnFail: true, delayAbortEval: 1s }\n',
    '{ type: constant-vus, vus: 2, duration: 60s }\noptions: { window: 500ms }',
  );
  const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live'], { TEST_DSN: db.dsn });
  assert.equal(r.code, 4, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.status, 'partial');
  const [, window] = /^p95 < 1ms \{provider=pg\} broke in window (\d+): [\d.]+ms$/.exec(report.abortedBy!) ?? assert.fail(report.abortedBy);
  assert.ok(Number(window) >= 3, 'windows 1 and 2 start within the 1 s delay');
  assert.ok(r.stderr.includes(`stopping: threshold ${report.abortedBy} (abortOnFail)`), r.stderr);
  assert.ok(r.stdout.includes(`run stopped early by abortOnFail: ${report.abortedBy}`), r.stdout);
  const p = report.providers[0]!;
  assert.ok(p.windows.length < 120, `stopped long before its 120 planned windows (${p.windows.length})`);
  assert.equal(report.thresholds![0]!.ok, false);
});

test('a malformed threshold is one line and exit 2, before any load', async () => {
  const r = await runCli(['run', sleepScenario('  - "p95 < fast"\n'), '--no-live'], { TEST_DSN: db.dsn });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^stampede: .*scenario\.yaml:10: thresholds\[0\]: "p95 < fast": must read "<metric> <comparator> <value>"/);
  assert.equal(r.stderr.split('\n').length, 2);
});
