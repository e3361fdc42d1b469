import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.js';
import { adminQuery, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

/**
 * The guide's skeleton and nothing more: a name, a session provider, initialize, close,
 * healthCheck, connection info and performance metrics (a free-form object). No dialect, no
 * prepareQuery, no execute: Stampede fills them in. Each instance notes the thread it runs on.
 */
const PROVIDER = `import pg from 'pg';
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { registerProvider } from 'stampede';

class PgDirect {
  providerName = 'pg_direct';
  #pool;
  #sessions;
  constructor(config) {
    this.config = config;
  }
  get sessionProvider() {
    return this.#sessions;
  }
  async initialize() {
    const pool = (this.#pool = new pg.Pool({ connectionString: this.config.dsn, max: 8 }));
    const run = (sql) => async (s) => void (await s.client.query(sql));
    this.#sessions = {
      createSession: async () => {
        const client = await pool.connect();
        return { client, query: async (sql, params) => (await client.query(sql, params)).rows };
      },
      closeSession: async (s) => s.client.release(),
      beginTransaction: run('BEGIN'),
      commitTransaction: run('COMMIT'),
      rollbackTransaction: run('ROLLBACK'),
    };
    appendFileSync(process.env.THREAD_LOG, threadId + '\\n');
  }
  async close() {
    await this.#pool?.end();
  }
  async healthCheck() {
    try {
      await this.#pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
  getConnectionInfo() {
    return { name: this.config.name, provider: 'pg_direct', driver: 'pg' };
  }
  async getPerformanceMetrics() {
    return { poolSize: this.#pool?.totalCount ?? 0 };
  }
}
registerProvider('pg_direct', PgDirect);
`;

/** The main program: imports the provider's module (which registers the kind), then runs a LoadTester on 2 workers. */
const MAIN = (providerImport: string): string => `import { LoadTester } from 'stampede';
${providerImport}

const tester = new LoadTester({ name: 'direct', provider: 'pg_direct', dsn: process.env.DSN }, { workers: 2 });
const result = await tester.runConstantLoadTest({
  testName: 'registered-in-main',
  durationSeconds: 1,
  concurrentUsers: 4,
  operation: tester.createQueryOperation("INSERT INTO direct_hits (tag) VALUES ('" + process.env.TAG + "')"),
});
process.stdout.write(JSON.stringify({ ok: result.successfulRequests, failed: result.failedRequests }));
`;

/** A project directory that depends on stampede (and pg, tsx), as a user's would. */
function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'stampede'));
  for (const dep of ['pg', 'tsx']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep));
  return dir;
}

function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runMain(main: string, providerFile: string, tag: string, tsx: boolean): Promise<void> {
  await adminQuery('CREATE TABLE IF NOT EXISTS direct_hits (id bigserial PRIMARY KEY, tag text)', [], db.name);
  const dir = project();
  writeFileSync(join(dir, providerFile), PROVIDER);
  writeFileSync(join(dir, main), MAIN(`import './${providerFile.replace(/\.ts$/, '.js')}';`));
  const log = join(dir, 'threads.log');
  writeFileSync(log, '');
  const args = tsx ? ['--import', 'tsx', main] : [main];
  const r = await runNode(args, { DSN: db.dsn, TAG: tag, THREAD_LOG: log }, dir);
  assert.equal(r.code, 0, r.stderr);
  const { ok, failed } = JSON.parse(r.stdout) as { ok: number; failed: number };
  assert.ok(ok > 0);
  assert.equal(failed, 0);
  const [row] = await adminQuery<{ n: string }>('SELECT count(*) AS n FROM direct_hits WHERE tag = $1', [tag], db.name);
  assert.equal(Number(row!.n), ok, 'every ok insert is a row');
  const threads = new Set(readFileSync(log, 'utf8').trim().split('\n').map(Number));
  threads.delete(0); // the main thread's own instance (setup, server figures)
  assert.equal(threads.size, 2, 'both worker threads built the kind');
}

test('a kind registered by a module the main program imports runs on 2 worker threads (JavaScript, as compiled)', async () => {
  await runMain('main.js', 'pg-direct.js', 'compiled', false);
});

test('a kind registered by a TypeScript module runs on 2 worker threads under tsx', async () => {
  await runMain('main.ts', 'pg-direct.ts', 'tsx', true);
});

test('a kind registered by the main script itself is refused for workers in one line: the workers would run the script again', async () => {
  const dir = project();
  writeFileSync(join(dir, 'main.js'), `${PROVIDER}\n${MAIN('')}`);
  const r = await runNode(['main.js'], { DSN: db.dsn, TAG: 'main', THREAD_LOG: join(dir, 'threads.log') }, dir);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /provider "direct": kind "pg_direct" is registered by the main script .*main\.js, which worker threads would run again when they import it: move the class into a module of its own/,
  );
});
