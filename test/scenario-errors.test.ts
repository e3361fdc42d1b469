import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseScenario } from '../src/config/load.js';
import { buildPlan } from '../src/plan/plan.js';
import { runCli, startCli, tempDir, writeScenario } from './helpers/cli.js';

const VALID = `name: t
providers:
  - name: mem
    provider: sqlite_memory
workload:
  - type: query
    sql: SELECT 1
profile:
  type: constant-vus
  vus: 2
  duration: 1s
`;

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseScenario(text, 'scenarios/x.yaml', env);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected a validation error');
}

test('a valid scenario parses', () => {
  assert.equal(parseScenario(VALID, 'x.yaml').providers[0]!.provider, 'sqlite_memory');
});

test('a bad field is named with its file and line', () => {
  assert.equal(errorOf(VALID.replace('vus: 2', 'vus: -3')), 'scenarios/x.yaml:10: profile.vus: must be a positive integer');
  assert.equal(errorOf(VALID.replace('vus: 2', 'vus: 2.5')), 'scenarios/x.yaml:10: profile.vus: must be a positive integer');
  assert.equal(
    errorOf(VALID.replace('duration: 1s', 'duration: soon')),
    'scenarios/x.yaml:11: profile.duration: must be a duration such as 500ms, 30s, 2m or 1h',
  );
  assert.equal(errorOf(VALID.replace('  vus: 2\n', '  vu: 2\n')), 'scenarios/x.yaml:10: profile.vu: unknown field');
  assert.match(errorOf(VALID.replace('    sql: SELECT 1\n', '')), /^scenarios\/x\.yaml:6: workload\[0\]\.sql: is required$/);
  assert.match(
    errorOf(VALID.replace('type: constant-vus', 'type: sometimes')),
    /^scenarios\/x\.yaml:9: profile\.type: must be one of constant-vus, iterations/,
  );
});

test('YAML syntax errors and missing environment variables name the line', () => {
  assert.match(errorOf(VALID.replace('  vus: 2', '  vus: [2')), /^scenarios\/x\.yaml:\d+: /);
  const withEnv = VALID.replace('provider: sqlite_memory', 'provider: sqlite_memory\n    dsn: ${NOPE_NOT_SET}');
  assert.equal(errorOf(withEnv), 'scenarios/x.yaml:5: environment variable NOPE_NOT_SET is not set');
  assert.equal(parseScenario(withEnv, 'x', { NOPE_NOT_SET: 'a.db' }).providers[0]!.dsn, 'a.db');
});

test('the CLI prints one line and exits 2 on a malformed scenario, a bad flag or a missing file', async () => {
  const file = writeScenario(VALID.replace('vus: 2', 'vus: zero'));
  const bad = await runCli(['run', file, '--no-live']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `stampede: ${file}:10: profile.vus: must be a positive integer\n`);
  assert.equal(bad.stdout, '');

  const json = writeScenario(
    JSON.stringify(
      { providers: [{ name: 'm', provider: 'sqlite_memory' }], workload: [], profile: { type: 'iterations', vus: 1, iterations: 1 } },
      null,
      1,
    ),
    's.json',
  );
  const badJson = await runCli(['run', json]);
  assert.equal(badJson.code, 2);
  assert.match(badJson.stderr, /^stampede: .*s\.json:\d+: workload: must list at least one operation\n$/);

  const flag = await runCli(['run', writeScenario(VALID), '--vus', 'lots']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /^stampede: .*--vus.*must be a positive integer\n$/);

  const missing = await runCli(['run', '/nonexistent/s.yaml']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'stampede: /nonexistent/s.yaml: cannot read scenario: ENOENT\n');

  const kind = await runCli(['run', writeScenario(VALID.replace('provider: sqlite_memory', 'provider: oracle'))]);
  assert.equal(kind.code, 2);
  assert.match(kind.stderr, /^stampede: provider "mem": unknown kind "oracle" \(registered: .*sqlite_memory.*\)\n$/);
});

/** Bad input through the built CLI: exit 2, nothing on stdout, exactly `stampede: <line>` on stderr, no report. */
async function rejected(args: string[], line: string | RegExp): Promise<void> {
  const out = join(tempDir(), 'report.json');
  const run = startCli(['run', ...args, ...(args.includes('--out') ? [] : ['--out', out]), '--no-live']);
  // A hang guard only: bad input is refused before any load, in well under a second.
  const guard = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  const r = await run.result.finally(() => clearTimeout(guard));
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^stampede: [^\n]+\n$/, 'one line, no stack trace');
  if (typeof line === 'string') assert.equal(r.stderr, `stampede: ${line}\n`);
  else assert.match(r.stderr, line);
  assert.ok(!existsSync(out), 'no report');
}

test('alias bombs, unresolved or circular aliases and deep nesting are one line naming file:line and field', async () => {
  let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
  for (const [prev, next] of [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['d', 'e'],
    ['e', 'f'],
    ['f', 'g'],
    ['g', 'h'],
    ['h', 'i'],
  ]) {
    bomb += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
  }
  const bombFile = writeScenario(bomb + VALID);
  const unresolved = writeScenario(VALID.replace('vus: 2', 'vus: *nope'));
  const circular = writeScenario(`${VALID}options: &loop { workers: *loop }\n`);
  const flow = writeScenario(VALID.replace('sql: SELECT 1', `sql: ${'['.repeat(10_000)}${']'.repeat(10_000)}`));
  const block = writeScenario(
    VALID.replace('    sql: SELECT 1', `    sql:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(6 + i)}- `).join('\n')}x`),
  );
  const json = writeScenario(`{"providers": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 's.json');
  await Promise.all([
    rejected(
      [bombFile],
      new RegExp(`^stampede: ${bombFile}:\\d+: [a-i]\\[\\d\\]: aliases expand the file to more than 100,000 values\\n$`),
    ),
    rejected([unresolved], `${unresolved}:10: profile.vus: alias *nope has no anchor &nope before it`),
    rejected([circular], `${circular}:12: options.workers: alias *loop is inside its own anchor`),
    rejected([flow], `${flow}:7: workload[0].sql: nested more than 64 levels deep`),
    rejected([block], new RegExp(`^stampede: ${block}:\\d+: workload\\[0\\]\\.sql: nested more than 64 levels deep\\n$`)),
    rejected([json], `${json}:1: providers[0][0]: nested more than 64 levels deep`),
  ]);
});

test('a DSN with a bad %-escape or a NUL byte, and SQL with a NUL byte, are one line naming the field', async () => {
  const dir = tempDir();
  const escape = writeScenario(VALID.replace('provider: sqlite_memory', 'provider: postgresql\n    dsn: postgres://u:%ZZ@127.0.0.1/db'));
  const sqlNul = writeScenario(VALID.replace('sql: SELECT 1', 'sql: "SELECT 1\\0; DROP TABLE x"'));
  const pathNul = writeScenario(VALID.replace('provider: sqlite_memory', `provider: sqlite\n    dsn: "${join(dir, 'a.db')}\\0.evil"`));
  await Promise.all([
    rejected([escape], `${escape}:5: providers[0].dsn: has a malformed %-escape (write a literal % as %25)`),
    rejected([sqlNul], `${sqlNul}:7: workload[0].sql: must not contain a NUL byte`),
    rejected([pathNul], `${pathNul}:5: providers[0].dsn: must not contain a NUL byte`),
  ]);
  assert.ok(!existsSync(join(dir, 'a.db')), 'no file under the name cut at the NUL');
});

test('durations beyond a week and counts beyond their bound are one line naming the field and the bound', async () => {
  const late = writeScenario(
    VALID.replace(
      /profile:[\s\S]*/,
      'scenarios:\n  - name: late\n    startTime: 600h\n    profile: { type: constant-vus, vus: 1, duration: 1s }\n',
    ),
  );
  const manyVus = writeScenario(VALID.replace('vus: 2', 'vus: 100000000'));
  const valid = writeScenario(VALID);
  await Promise.all([
    rejected([late], `${late}:10: scenarios[0].startTime: must be at most 168h (a week)`),
    rejected([valid, '--duration', '600h'], /--duration.*must be at most 168h \(a week\)\n$/),
    rejected([manyVus], `${manyVus}:10: profile.vus: must be at most 2,000,000 VUs`),
    rejected([valid, '--vus', '100000000'], 'profile.vus: must be at most 2,000,000 VUs (after command-line overrides)'),
    rejected([valid, '--workers', '100000'], /--workers.*must be at most 1,024\n$/),
  ]);

  const profile = (text: string): string => VALID.replace(/profile:[\s\S]*/, `profile: ${text}\n`);
  const arrivals = (fields: string): string => profile(`{ type: constant-arrival-rate, duration: 1s, ${fields} }`);
  assert.equal(
    errorOf(VALID.replace('duration: 1s', 'duration: 8000000')),
    'scenarios/x.yaml:11: profile.duration: must be at most 168h (a week)',
  );
  assert.equal(
    errorOf(arrivals('rate: 1000000000, preAllocatedVUs: 1')),
    'scenarios/x.yaml:8: profile.rate: must be at most 10,000,000 arrivals a second',
  );
  assert.equal(
    errorOf(arrivals('rate: 1, preAllocatedVUs: 1, maxVUs: 5000000')),
    'scenarios/x.yaml:8: profile.maxVUs: must be at most 2,000,000 VUs',
  );
  assert.equal(
    errorOf(profile('{ type: iterations, vus: 1, iterations: 10000000000000 }')),
    'scenarios/x.yaml:8: profile.iterations: must be at most 1,000,000,000,000 iterations',
  );
  // Each stage is within bounds; together they are not.
  const stages = Array.from({ length: 30 }, () => '    - { duration: 100h, target: 1 }').join('\n');
  const longRamp = parseScenario(VALID.replace(/profile:[\s\S]*/, `profile:\n  type: ramping-vus\n  stages:\n${stages}\n`), 'x.yaml');
  assert.throws(() => buildPlan({ scenario: longRamp, file: 'x.yaml', baseDir: '.' }), {
    message: 'x.yaml: profile: planned to last 3000h; a run must be at most 168h (a week)',
  });
  // The bound still allows the project's goal of a million (idle) VUs.
  assert.equal((parseScenario(VALID.replace('vus: 2', 'vus: 1000000'), 'x.yaml').profile as { vus: number }).vus, 1_000_000);
});

test('--out that is a directory, empty or unwritable is refused before any load starts', async () => {
  const dir = tempDir();
  // A file database: had the run started, its file would exist.
  const db = join(dir, 'load.db');
  const file = writeScenario(
    VALID.replace('provider: sqlite_memory', `provider: sqlite\n    dsn: ${db}`).replace('duration: 1s', 'duration: 30s'),
  );
  await Promise.all([
    rejected([file, '--out', dir], `--out: ${dir} is a directory; give a file path such as ${join(dir, 'report.json')}`),
    rejected([file, '--out', ''], '--out: must be a file path, not empty'),
    rejected([file, '--out', '/proc/stampede-nope/report.json'], '--out: cannot write /proc/stampede-nope/report.json: ENOENT'),
    rejected([file, '--out', `${file}/report.json`], `--out: cannot write ${file}/report.json: ENOTDIR`),
  ]);
  assert.ok(!existsSync(db), 'no load ran');
});
