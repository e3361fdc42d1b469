import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { Aggregator } from '../src/metrics/aggregate.js';
import { decodeHistogram, encodeHistogram, initHistograms, newHistogram } from '../src/metrics/histogram.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { readReport } from '../src/report/read.js';
import { benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const NATS = process.env.BENCH_NATS ?? 'nats://127.0.0.1:4222';
const SECONDS = benchSeconds(5);
const ROUNDS = benchRepeats(3);

function cli(args: string[]): { done: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 || code === null ? resolve(err) : reject(new Error(`stampede ${args[0]} exited ${code}: ${err}`)),
    ),
  );
  return { done, kill: () => child.kill('SIGTERM') };
}

async function startAgent(prefix: string, name: string): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [CLI, 'agent', '--nats', NATS, '--prefix', prefix, '--name', name, '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => String(d).includes('agent ready') && resolve()));
  return () =>
    new Promise((resolve) => {
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    });
}

function opsPerSec(out: string): number {
  const p = readReport(out).providers[0]!;
  return p.total.ok / p.durationSec;
}

/**
 * 2 agents × 1 worker against 1 process × 2 workers, SQLite `SELECT 1`, same run length. The two
 * alternate for ROUNDS rounds and the medians are compared, so a noisy neighbour hurts both.
 */
async function throughput(dir: string): Promise<void> {
  const scenario = join(dir, 'select1.yaml');
  writeFileSync(
    scenario,
    `providers:\n  - name: mem\n    provider: sqlite_memory\nworkload:\n  - type: query\n    sql: SELECT 1\nprofile: { type: constant-vus, vus: 2, duration: ${SECONDS}s }\n`,
  );
  const prefix = `bench${process.pid}`;
  const nc = await connect({ servers: NATS });
  const bytes = new Map<string, number>();
  nc.subscribe(`${prefix}.plan.>`, {
    callback: (_e, m) => {
      const agent = m.subject.split('.').at(-2)!;
      if (m.subject.endsWith('.up') && m.string().includes('"snapshot"')) bytes.set(agent, (bytes.get(agent) ?? 0) + m.data.length);
    },
  });
  const stops = [await startAgent(prefix, 'a1'), await startAgent(prefix, 'a2')];
  const single: number[] = [];
  const cluster: number[] = [];
  let windows = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const one = join(dir, `single-${round}.json`);
      await cli(['run', scenario, '--workers', '2', '--no-live', '--out', one]).done;
      single.push(opsPerSec(one));
      const two = join(dir, `cluster-${round}.json`);
      await cli(['run', scenario, '--nats', NATS, '--prefix', prefix, '--agents', '2', '--no-local', '--no-live', '--out', two]).done;
      cluster.push(opsPerSec(two));
      windows += readReport(two).providers[0]!.windows.length;
    }
  } finally {
    await Promise.all(stops.map((s) => s()));
  }
  await nc.flush();
  await nc.close();

  section(`throughput: SQLite SELECT 1, 2 VUs, ${SECONDS} s runs, median of ${ROUNDS}`);
  printFigure({
    name: '2 agents x 1 worker',
    value: median(cluster),
    unit: 'ops/s',
    baseline: { name: '1 process x 2 workers', value: median(single) },
    goal: '>= 0.90',
  });
  section('wire');
  for (const [agent, n] of [...bytes].sort())
    printFigure({ name: `snapshot bytes per window, agent ${agent}`, value: n / windows, unit: 'B' });
}

/** CPU and wall time of `fn`, in ms: CPU is the steadier figure on a shared machine. */
function timed(fn: () => void): { cpu: number; wall: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1000, wall: performance.now() - t0 };
}

/**
 * 100 agents × 60 windows of synthetic snapshots (one operation, 1,000 samples each), merged the
 * way a run does: figures of each window once every source sent it, then the report's windows and
 * totals. Baseline: decoding each snapshot once and adding it into one histogram, the least any
 * exact merge must do.
 */
async function mergeTime(): Promise<void> {
  await initHistograms();
  const snapshots: Snapshot[] = [];
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const h = newHistogram();
  for (let window = 0; window < 60; window++) {
    for (let agent = 0; agent < 100; agent++) {
      for (let i = 0; i < 1000; i++) h.recordValue(Math.floor(200 * -Math.log(1 - random())) + 50);
      snapshots.push({
        runId: 'r',
        source: `agent${agent}/w0`,
        provider: 'p',
        phase: 'main',
        window,
        activeVUs: 10,
        ranMs: 1000,
        operations: [{ operation: 'q', histogram: encodeHistogram(h), ok: 1000, errors: {} }],
      });
      h.reset();
    }
  }
  h.destroy();
  const floor = timed(() => {
    const all = newHistogram();
    for (const s of snapshots) {
      const one = decodeHistogram(s.operations[0]!.histogram);
      all.add(one);
      one.destroy();
    }
    all.destroy();
  });
  const merge = timed(() => {
    const agg = new Aggregator();
    const seen = new Map<number, number>();
    for (const s of snapshots) {
      agg.add(s);
      const n = (seen.get(s.window) ?? 0) + 1;
      seen.set(s.window, n);
      if (n === 100) agg.windowFigures(s.window);
    }
    agg.figures();
    agg.destroy();
  });
  section('merge: 100 agents x 60 windows (6,000 snapshots)');
  printFigure({
    name: 'merge, CPU',
    value: merge.cpu,
    unit: 'ms',
    baseline: { name: 'decode + add each once', value: floor.cpu },
    goal: '< 1000 ms',
  });
  printFigure({
    name: 'merge, wall',
    value: merge.wall,
    unit: 'ms',
    baseline: { name: 'decode + add each once', value: floor.wall },
    goal: '< 1000 ms',
  });
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-'));
  await throughput(dir);
  await mergeTime();
}
