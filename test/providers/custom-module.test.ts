import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

/**
 * A custom kind in a plain JS module: each instance counts its operations and, on close, appends
 * its thread id and count to a file, so the test sees which threads ran it. That file is its
 * "server": the metrics sum it (less `options.lose`, to play a server that missed some).
 */
function writeCustomModule(dir: string): string {
  const file = join(dir, 'counting-provider.js');
  writeFileSync(
    file,
    `import { appendFileSync, readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { registerProvider } from ${JSON.stringify(join(ROOT, 'dist', 'src', 'index.js'))};

class CountingProvider {
  providerName = 'counting';
  dialect = 'sqlite';
  sharedAcrossInstances = true;
  count = 0;
  constructor(config) {
    this.config = config;
    this.sessionProvider = {
      createSession: async () => ({ query: async () => [] }),
      closeSession: async () => {},
      beginTransaction: async () => {},
      commitTransaction: async () => {},
      rollbackTransaction: async () => {},
    };
  }
  async initialize() {}
  async close() {
    if (this.count > 0) appendFileSync(this.config.options.log, threadId + ' ' + this.count + '\\n');
  }
  async healthCheck() { return true; }
  getConnectionInfo() { return { name: this.config.name, provider: this.providerName, driver: 'none' }; }
  async getPerformanceMetrics() {
    const lines = readFileSync(this.config.options.log, 'utf8').trim().split('\\n').filter(Boolean);
    const seen = Math.max(0, lines.reduce((n, l) => n + Number(l.split(' ')[1]), 0) - (this.config.options.lose ?? 0));
    return { server: { kind: 'a file' }, counters: { operations: seen }, operationCounter: 'operations', lagMs: 1000 };
  }
  prepareQuery() { return () => { this.count++; }; }
  async execute() { return []; }
}
registerProvider('counting', CountingProvider);
`,
  );
  return file;
}

async function runCounting(lose: number): Promise<{ log: string; report: Report; stdout: string }> {
  const dir = tempDir();
  writeCustomModule(dir);
  const log = join(dir, 'threads.log');
  writeFileSync(log, '');
  const scenario = join(dir, 'custom.yaml');
  writeFileSync(
    scenario,
    `providers:
  - name: mine
    provider: counting
    module: ./counting-provider.js
    options: { log: ${JSON.stringify(log)}, lose: ${lose} }
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 4, iterations: 5000 }
`,
  );
  const out = join(dir, 'report.json');
  const r = await runCli(['run', scenario, '--workers', '2', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  return { log, report: JSON.parse(readFileSync(out, 'utf8')) as Report, stdout: r.stdout };
}

test('a custom provider registered from a module runs inside the worker threads', async () => {
  const { log, report, stdout } = await runCounting(0);
  const p = report.providers[0]!;
  assert.equal(p.total.ok, 5000);
  assert.deepEqual(p.server?.check, { counter: 'operations', clientOk: 5000, server: 5000, excess: 0, match: true });
  assert.match(stdout, /mine: the server counted 5,000 operations for 5,000 ok operations/);
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number]);
  assert.equal(lines.length, 2, 'one instance per worker did the work');
  assert.ok(
    lines.every(([thread]) => thread > 0),
    'worker threads, not the main thread (id 0)',
  );
  assert.notEqual(lines[0]![0], lines[1]![0]);
  assert.equal(
    lines.reduce((n, [, c]) => n + c, 0),
    5000,
  );
});

test('a server that saw fewer operations than the client counted is shown as a mismatch', async () => {
  const { report, stdout } = await runCounting(7);
  assert.deepEqual(report.providers[0]!.server?.check, { counter: 'operations', clientOk: 5000, server: 4993, excess: -7, match: false });
  assert.match(stdout, /mine: MISMATCH: 5,000 ok operations, but the server counted only 4,993 operations/);
});

test('stampede providers lists a custom kind when its module is given', async () => {
  const dir = tempDir();
  const module = writeCustomModule(dir);
  const plain = await runCli(['providers']);
  assert.equal(plain.stdout, 'mariadb\nmysql\npostgresql\npostgresql_optimized\nsqlite\nsqlite_memory\nsupabase\n');
  const withModule = await runCli(['providers', '--module', module]);
  assert.equal(withModule.code, 0, withModule.stderr);
  assert.equal(withModule.stdout, 'counting\nmariadb\nmysql\npostgresql\npostgresql_optimized\nsqlite\nsqlite_memory\nsupabase\n');
  const missing = await runCli(['providers', '--module', join(dir, 'nope.js')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^stampede: provider ".*nope\.js": cannot load module .*nope\.js/);
});
