import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Measured, processCpuUs, type ServerCpu, serverCpuBetween } from './cpu.js';
import { namedDsn } from './lib.js';

export interface PgbenchRun extends Measured {
  /** "latency average" (ms): under -R, from the scheduled start, as an open model's corrected latency. */
  latencyAvgMs: number;
  /** -R only: "rate limit schedule lag: avg" (ms). */
  lagAvgMs?: number;
  /** With `lags`: the schedule lag of every transaction (ms, sorted), from pgbench's log. */
  lags?: number[];
}

export interface PgbenchOptions {
  dsn: string;
  /** The statement pgbench runs as its script. */
  sql: string;
  seconds: number;
  args: string[];
  /** Keep the per-transaction log and read every schedule lag from it (-R runs). */
  lags?: boolean;
  /** Reads pgbench's and the server's CPU from 1 s in until 0.5 s before the end. */
  server?: { cpu: ServerCpu; application: string };
}

/**
 * pgbench with a one-statement script, -P off. CPU per transaction is sampled inside the run
 * (pgbench's threads by /proc, the backends by application name) and divided by tps × the span,
 * since pgbench says nothing about how many transactions fell inside it.
 */
export async function pgbench(o: PgbenchOptions): Promise<PgbenchRun> {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-pgbench-'));
  try {
    const script = join(dir, 'script.sql');
    writeFileSync(script, `${o.sql};\n`);
    const args = ['-n', '-T', String(Math.max(1, Math.round(o.seconds))), '-f', script, ...o.args];
    if (o.lags) args.push('-l', `--log-prefix=${join(dir, 'log')}`);
    const dsn = o.server ? namedDsn(o.dsn, o.server.application) : o.dsn;
    const child = spawn('pgbench', [...args, dsn], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const cpu = o.server && child.pid !== undefined ? sampleInside(child.pid, o.seconds, o.server) : undefined;
    const code = await exited;
    if (code !== 0) throw new Error(`pgbench ${args.join(' ')} exited ${code}: ${out.trim()}`);
    const tps = figure(out, /tps = ([\d.]+) \(without initial connection time\)/);
    const run: PgbenchRun = { rate: tps, latencyAvgMs: figure(out, /latency average = ([\d.]+) ms/) };
    const lag = /rate limit schedule lag: avg ([\d.]+)/.exec(out);
    if (lag) run.lagAvgMs = Number(lag[1]);
    const span = await cpu;
    if (span) {
      const ops = tps * span.seconds;
      run.clientUsPerOp = span.clientUs / ops;
      run.serverUsPerOp = span.serverUs / ops;
    }
    if (o.lags) run.lags = readLags(dir);
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function figure(out: string, re: RegExp): number {
  const m = re.exec(out);
  if (!m) throw new Error(`pgbench printed no ${re.source}: ${out.trim()}`);
  return Number(m[1]);
}

async function sampleInside(
  pid: number,
  seconds: number,
  server: NonNullable<PgbenchOptions['server']>,
): Promise<{ seconds: number; clientUs: number; serverUs: number } | undefined> {
  const spanMs = seconds * 1000 - 1500;
  if (spanMs <= 0) return undefined;
  await sleep(1000);
  const [t0, c0, s0] = [performance.now(), processCpuUs(pid), await server.cpu.sample(server.application)];
  await sleep(spanMs);
  const [t1, c1, s1] = [performance.now(), processCpuUs(pid), await server.cpu.sample(server.application)];
  return { seconds: (t1 - t0) / 1000, clientUs: c1 - c0, serverUs: serverCpuBetween(s0, s1) };
}

/** Per-transaction log lines: client, tx, latency µs, script, epoch s, epoch µs, schedule lag µs. */
function readLags(dir: string): number[] {
  const lags: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith('log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const cols = line.split(' ');
      if (cols.length >= 7) lags.push(Number(cols[6]) / 1000);
    }
  }
  return lags.sort((a, b) => a - b);
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))] ?? 0;
}
