import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CliResult, ROOT } from './helpers/cli.js';

/** `npm run bench -- …` as it runs after the build; only argument handling, never a real bench. */
function bench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('bench --help prints the benches and the variables that size them', async () => {
  const r = await bench(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^usage: npm run bench \[-- <bench>…\]/);
  for (const name of ['perf', 'soak', 'profiles', 'providers', 'distributed', 'compare'])
    assert.match(r.stdout, new RegExp(`\\n  ${name} +\\S`));
  for (const variable of ['BENCH_SECONDS', 'BENCH_REPEATS', 'BENCH_SOAK_SECONDS', 'BENCH_PG_DSN', 'BENCH_NATS'])
    assert.match(r.stdout, new RegExp(`\\n  ${variable} +\\S`));
});

test('a misspelt bench, an unknown option or a bad size is one line and exit 2, before any bench runs', async () => {
  const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
    [
      ['perf', 'profile'],
      {},
      'bench: unknown bench "profile" (benches: perf, soak, profiles, providers, distributed, coordinator, html, workloads, compare, mysql)\n',
    ],
    [['--quick'], {}, 'bench: unknown option --quick (--help for usage)\n'],
    [['perf'], { BENCH_SECONDS: '0' }, 'bench: BENCH_SECONDS=0: must be a positive number\n'],
    [['perf'], { BENCH_SECONDS: 'ten' }, 'bench: BENCH_SECONDS=ten: must be a positive number\n'],
    [['perf'], { BENCH_REPEATS: '2.5' }, 'bench: BENCH_REPEATS=2.5: must be a positive integer\n'],
    [['soak'], { BENCH_SOAK_SECONDS: '-1' }, 'bench: BENCH_SOAK_SECONDS=-1: must be a positive number\n'],
  ];
  for (const [args, env, line] of cases) {
    const r = await bench(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, line);
    assert.equal(r.stdout, '', 'no bench started');
  }
});
