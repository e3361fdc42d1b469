import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/cli.js';
import { MissingTool, requireTool, type Tool, TOOLS } from './helpers/tools.js';

test('a missing tool fails the test with one line naming it and how to install it', () => {
  assert.throws(
    () => requireTool('faketime', '/nonexistent'),
    (err: Error) =>
      err instanceof MissingTool &&
      err.message ===
        'faketime is not installed: apt-get install -y faketime (or bash .ci/services.sh, which installs every tool the tests need)' &&
      err.stack === `MissingTool: ${err.message}`,
  );
  // PostgreSQL's server binaries count only from version 15's own directory, never from PATH.
  assert.equal(requireTool('postgres', '/nonexistent'), '/usr/lib/postgresql/15/bin/postgres');
  assert.match(requireTool('openssl'), /\/openssl$/);
});

test('every package a test tool needs is installed by .ci/services.sh and listed in the README', () => {
  const services = readFileSync(join(ROOT, '.ci', 'services.sh'), 'utf8');
  const list = /^packages=\(\n([\s\S]*?)\n\)$/m.exec(services)![1]!;
  const installed = new Set(
    list
      .split('\n')
      .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/))
      .filter(Boolean),
  );
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const prerequisites = readme.slice(readme.indexOf('### Prerequisites'), readme.indexOf('## Running a scenario'));
  for (const tool of Object.keys(TOOLS) as Tool[]) {
    const pkg = TOOLS[tool].apt;
    assert.ok(installed.has(pkg), `.ci/services.sh installs ${pkg} (for ${tool})`);
    assert.ok(prerequisites.includes(`\`${pkg}\``), `the README's prerequisites name ${pkg}`);
  }
});
