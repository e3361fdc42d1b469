import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readReport } from '../src/report/read.js';
import { compareRuns } from '../src/report/run-compare.js';
import type { Report } from '../src/report/types.js';
import { ROOT, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { validateJunit } from './helpers/junit.js';
import { freshDatabase, SECRET } from './helpers/pg.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
const SLOWED = join(ROOT, 'test', 'fixtures', 'slowed-provider.mjs');
const dir = tempDir();
const base = join(dir, 'base.json');
const slowed = join(dir, 'slowed.json');

/** One scenario, twice: the new run's provider sleeps 20 ms on the server before each statement. */
function scenario(provider: string): string {
  return writeScenario(`name: nightly
providers:
  - { name: pg, provider: ${provider}, dsn: "\${TEST_DSN}" }
workload:
  - { name: one, type: query, sql: SELECT 1 }
profile: { type: constant-vus, vus: 2, duration: 4s }
options: { window: 500ms }
`);
}

before(async () => {
  db = await freshDatabase();
  const env = { TEST_DSN: db.dsn, SLOWED_PROVIDER_SLEEP: '0.02' };
  const a = await runCli(['run', scenario('postgresql'), '--workers', '1', '--out', base, '--no-live'], env);
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(['run', scenario(`postgresql_slowed, module: "${SLOWED}"`), '--workers', '1', '--out', slowed, '--no-live'], env);
  assert.equal(b.code, 0, b.stderr);
});
after(async () => {
  await db.drop();
});

test('compare: a report against itself calls no regression (exit 0)', async () => {
  const r = await runCli(['compare', base, base]);
  assert.equal(r.code, 0, r.stderr);
  // Each side resampled on its own: the interval is wide, but holds 1.
  const [, low, high] =
    /\npg +one +([\d.]+) +\1 +1\.00× +([\d.]+)–([\d.]+)× +1\.000 +~\n/.exec(r.stdout)?.slice(1) ?? assert.fail(r.stdout);
  assert.ok(Number(low) <= 1 && Number(high) >= 1, r.stdout);
  assert.match(r.stdout, /\nno regression beyond 5 %\n$/);
});

test('compare: a run against a pg_sleep-slowed run calls a regression with an interval excluding 1 (exit 5); JUnit and Markdown say so', async () => {
  const junit = join(dir, 'compare.xml');
  const md = join(dir, 'compare.md');
  const r = await runCli(['compare', base, slowed, '--fail-on-regression', '10%', '--junit', junit, '--summary-md', md]);
  assert.equal(r.code, 5, r.stderr);
  const [row] = compareRuns(readReport(base), readReport(slowed), { margin: 0.1 }).rows;
  assert.equal(row!.regression, true);
  assert.ok(row!.low! > 1.1, `interval ${row!.low}–${row!.high}`);
  assert.ok(row!.candidate >= 20, `the slowed run's p95 holds its 20 ms sleep: ${row!.candidate}`);
  assert.ok(row!.windows.base >= 3 && row!.windows.candidate >= 3);
  assert.match(r.stdout, /\npg +one +[\d.]+ +[\d.]+ +[\d.]+× +[\d.]+–[\d.]+× +[\d.<]+ +REGRESSION\n/);
  assert.match(r.stdout, /\n1 regression \(significant and slower by more than 10 %\)\n$/);

  validateJunit(junit);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuites name="stampede" tests="1" failures="1" errors="0"/);
  assert.match(
    xml,
    /<testcase name="pg\/one p95" classname="stampede.compare.pg" time="0">\n {6}<failure message="regression: [\d.]+× slower/,
  );
  const summary = readFileSync(md, 'utf8');
  assert.match(summary, /\| ❌ \| pg \| one \| [\d.]+ \| [\d.]+ \| [\d.]+× \| [\d.]+–[\d.]+× \| [\d.<]+ \|/);
  assert.ok(summary.includes('**1 regression(s)** beyond 10 %'), summary);
  for (const text of [r.stdout, xml, summary]) assert.ok(!text.includes(SECRET));

  // The other way round the new run is faster: no regression.
  const faster = await runCli(['compare', slowed, base]);
  assert.equal(faster.code, 0, faster.stderr);
  assert.match(faster.stdout, / faster\n/);
  // Beyond the margin only: the same slowdown within a margin larger than itself is no regression.
  assert.equal(compareRuns(readReport(base), readReport(slowed), { margin: row!.ratio }).rows[0]!.regression, false);
});

test('compare refuses reports of different scenarios with one line (exit 2) unless --force', async () => {
  const other = join(dir, 'other.json');
  const report = JSON.parse(readFileSync(base, 'utf8')) as Report;
  writeFileSync(other, JSON.stringify({ ...report, name: 'weekly' }));
  const r = await runCli(['compare', base, other]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'stampede: the two reports are of different scenarios (name "nightly" vs "weekly"); add --force to compare them anyway\n',
  );
  assert.equal(r.stdout, '');
  const forced = await runCli(['compare', base, other, '--force']);
  assert.equal(forced.code, 0, forced.stderr);

  const bad = await runCli(['compare', base, other, '--fail-on-regression', 'lots']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^stampede: .*--fail-on-regression.*must be a margin such as 10% or 0\.1\n$/);
});
