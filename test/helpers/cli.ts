import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `wrap` prefixes the command, e.g. `ip netns exec NAME` to run it on another "host". */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrap: string[] = [],
): { child: ChildProcess; result: Promise<CliResult> } {
  const [command, ...prefix] = [...wrap, process.execPath];
  const child = spawn(command, [...prefix, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolveResult) =>
    child.on('close', (code, signal) => resolveResult({ code, signal, stdout, stderr })),
  );
  return { child, result };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).result;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stampede-test-'));
}

/** Writes a scenario file into a fresh temp dir and returns its path. */
export function writeScenario(text: string, name = 'scenario.yaml'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** A scenario of `SELECT 1` on a private in-memory SQLite database, with the given profile lines. */
export function selectOneScenario(profile: string): string {
  return writeScenario(`providers:
  - name: mem
    provider: sqlite_memory
workload:
  - type: query
    sql: SELECT 1
profile:
${profile}
`);
}

/** Paced load (think time), so that a window's count follows how many VUs ran it, whatever the machine's load. */
export function pacedScenario(vus: number, seconds: number): string {
  return selectOneScenario(`  type: constant-vus\n  vus: ${vus}\n  duration: ${seconds}s\n  thinkTime: 10ms`);
}
