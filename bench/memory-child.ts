/**
 * A child process whose peak RSS (VmHWM: every thread of it, the engine's workers included) is
 * the figure: `engine <vus> <workers> <seconds> <thinkSeconds>` runs sqlite_memory `SELECT 1` on
 * the one engine; `bare <loops> <seconds> <thinkSeconds>` runs bare promise loops doing the same
 * query. Prints its peak RSS in bytes.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runEngine, scenario } from './engine-run.js';

const [mode, count, a, b, c] = process.argv.slice(2);
const n = Number(count);

if (mode === 'engine') {
  const [workers, seconds, think] = [Number(a), Number(b), Number(c)];
  const profile = `{ type: constant-vus, vus: ${n}, duration: ${seconds}s, thinkTime: ${think}s }`;
  await runEngine(scenario('sqlite_memory', undefined, 'SELECT 1', profile), workers);
} else {
  const [seconds, think] = [Number(a), Number(b)];
  const stmt = new Database(':memory:').prepare('SELECT 1').raw(true);
  const end = Date.now() + seconds * 1000;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const loop = async (): Promise<void> => {
    while (Date.now() < end) {
      stmt.get();
      await sleep(think * 1000);
    }
  };
  await Promise.all(Array.from({ length: n }, loop));
}
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))!;
process.stdout.write(`${Number(hwm[1]) * 1024}\n`);
