import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import type { Report } from '../src/report/types.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

/** A user's project: stampede installed (a link to this checkout), ES modules. */
function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'stampede'));
  return dir;
}

const SCENARIO = (profile: string): string => `import { defineScenario } from 'stampede';

const iterations: number = 100;

export default defineScenario({
  name: 'from-typescript',
  providers: [{ name: 'mem', provider: 'sqlite_memory' }],
  workload: [{ type: 'query', sql: 'SELECT 1' }],
  profile: ${profile},
});
`;

test('stampede run scenario.ts runs the default export of defineScenario, on 2 workers', async () => {
  const dir = project();
  const file = join(dir, 'scenario.ts');
  writeFileSync(file, SCENARIO("{ type: 'iterations', vus: 2, iterations }"));
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.name, 'from-typescript');
  assert.equal(report.scenario.file, file);
  assert.equal(report.providers[0]!.total.ok, 100);
  assert.equal(report.providers[0]!.sources.length, 2);
});

test('a TypeScript scenario is validated by the same schema: one line naming the file and the field, exit 2', async () => {
  const dir = project();
  const bad = join(dir, 'bad.ts');
  writeFileSync(bad, SCENARIO("{ type: 'constant-vus', vus: -3, duration: '1s' }"));
  const r1 = await runCli(['run', bad, '--no-live']);
  assert.equal(r1.code, 2);
  assert.equal(r1.stderr, `stampede: ${bad}: profile.vus: must be a positive integer\n`);

  const none = join(dir, 'none.ts');
  writeFileSync(none, 'export const scenario = {};\n');
  const r2 = await runCli(['run', none, '--no-live']);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr, `stampede: ${none}: no default export (export default defineScenario({ … }))\n`);
});

test('stampede schema prints the JSON Schema the shipped scenarios name on their first line, and they pass it', async () => {
  const r = await runCli(['schema']);
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as Record<string, unknown>;
  const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(committed, schema, 'schema/scenario.schema.json is what `stampede schema` prints (regenerate it)');

  const validate = new Ajv2020({ allErrors: true }).compile(schema);
  const scenarios = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml') && f !== 'bench-postgres.yaml');
  assert.ok(scenarios.length >= 5);
  for (const f of scenarios) {
    const text = readFileSync(join(ROOT, 'scenarios', f), 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schema/scenario.schema.json', f);
    assert.ok(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
  }
  // What the editor flags: a misspelt field, a wrong type.
  assert.equal(
    validate({
      providers: [{ name: 'a', provider: 'sqlite' }],
      workload: [{ type: 'query', sql: 'SELECT 1' }],
      profile: { type: 'constant-vus', vus: 'x' },
    }),
    false,
  );
  assert.equal(
    validate({
      providers: [{ name: 'a', provider: 'sqlite', dsm: 'x' }],
      workload: [{ type: 'query', sql: 'SELECT 1' }],
      profile: { type: 'constant-vus', vus: 1 },
    }),
    false,
  );
});
