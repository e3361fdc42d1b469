import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../src/config/load.js';
import { runCli, writeScenario } from './helpers/cli.js';

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
  assert.equal(errorOf(VALID.replace('duration: 1s', 'duration: soon')), 'scenarios/x.yaml:11: profile.duration: must be a duration such as 500ms, 30s, 2m or 1h');
  assert.equal(errorOf(VALID.replace('  vus: 2\n', '  vu: 2\n')), 'scenarios/x.yaml:10: profile.vu: unknown field');
  assert.match(errorOf(VALID.replace('    sql: SELECT 1\n', '')), /^scenarios\/x\.yaml:6: workload\[0\]\.sql: is required$/);
  assert.match(errorOf(VALID.replace('type: constant-vus', 'type: sometimes')), /^scenarios\/x\.yaml:9: profile\.type: must be one of constant-vus, iterations/);
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

  const json = writeScenario(JSON.stringify({ providers: [{ name: 'm', provider: 'sqlite_memory' }], workload: [], profile: { type: 'iterations', vus: 1, iterations: 1 } }, null, 1), 's.json');
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
