import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseScenario } from '../src/config/load.js';
import { type ProviderProgress, type RunResult, settle } from '../src/engine/engine.js';
import { windowMerger } from '../src/engine/execute.js';
import { Aggregator } from '../src/metrics/aggregate.js';
import { decodeHistogram, initHistograms, newHistogram } from '../src/metrics/histogram.js';
import { Recorder } from '../src/metrics/recorder.js';
import type { Snapshot } from '../src/metrics/snapshot.js';
import { buildPlan } from '../src/plan/plan.js';
import { buildReport } from '../src/report/build.js';
import { benchRepeats, median, printFigure, section } from './lib.js';

const AGENTS = 1000;
const WINDOWS = 60;
const WINDOW_MS = 1000;
/** Distinct recorded snapshots: each (agent, window) replays one of them, so generating stays short. */
const POOL = 240;
const ROUNDS = benchRepeats(3);

export type Variant = 'closed' | 'open';

/** One replay of `agents` × `windows` snapshots through the coordinator's merge and report. */
export interface CoordinatorFigures {
  variant: Variant;
  agents: number;
  windows: number;
  /** CPU and wall time (ms) of merging every window as it completes: the live path, summed. */
  merge: { cpu: number; wall: number };
  /** CPU per window (ms) of merging one window's snapshots and reading its figures: median and worst. */
  windowCpu: { median: number; max: number };
  /** Settling the run and building the report, with its JSON as the CLI writes it. */
  report: { cpu: number; wall: number; bytes: number };
  /** Baseline: decoding every histogram once and adding it into one, the least any exact merge does. */
  decode: { cpu: number; wall: number };
  /** RSS (MB) before the first snapshot, and its peak up to the written report. */
  rss: { before: number; peak: number };
}

/** A seeded PRNG (LCG) and a lognormal draw from it, so every round replays the same samples. */
function randomSource(seed: number): { uniform: () => number; lognormal: (medianMs: number, sigma: number) => number } {
  let s = seed;
  const uniform = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, lognormal: (medianMs, sigma) => medianMs * Math.exp(sigma * normal()) };
}

/** Three operations as a read-heavy mix runs them: share of the arrivals, median (ms), spread. */
const OPERATIONS = [
  { name: 'read', share: 0.7, medianMs: 0.3, sigma: 0.6 },
  { name: 'write', share: 0.25, medianMs: 1.2, sigma: 0.5 },
  { name: 'transfer', share: 0.05, medianMs: 4, sigma: 0.7 },
];

/** A serialization failure, as node-postgres throws it. */
function conflict(): Error {
  return Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
}

/**
 * What one agent's worker sends for one window, recorded the way a worker records: 600–3,000
 * operations whose latencies spread over two decades with a slow tail, a few failed writes, and in
 * the open model the corrected twin and the schedule lag. Kept as JSON, so each replay parses
 * fresh strings as a message off the wire does.
 */
function recordedPool(variant: Variant): string[] {
  const open = variant === 'open';
  const rnd = randomSource(variant === 'open' ? 11 : 7);
  const pool: string[] = [];
  for (let p = 0; p < POOL; p++) {
    const recorder = new Recorder(
      OPERATIONS.map((o) => o.name),
      open,
    );
    const slow = 1 + (p % 5) / 4;
    const n = 600 + Math.floor(rnd.uniform() * 2400);
    for (let i = 0; i < n; i++) {
      const u = rnd.uniform();
      const op = u < OPERATIONS[0]!.share ? 0 : u < OPERATIONS[0]!.share + OPERATIONS[1]!.share ? 1 : 2;
      const o = OPERATIONS[op]!;
      // One operation in 200 waits on a lock or a checkpoint: the tail a p99.9 is about.
      const ms = rnd.lognormal(o.medianMs * slow, o.sigma) * (rnd.uniform() < 0.005 ? 20 : 1);
      if (op === 1 && rnd.uniform() < 0.002) recorder.error(op, conflict());
      else if (open) {
        const lagMs = rnd.lognormal(0.02, 1);
        recorder.startLag(lagMs);
        recorder.okScheduled(op, ms, ms + lagMs);
      } else recorder.ok(op, ms);
    }
    const arrivals = recorder.flushArrivals();
    const snapshot: Omit<Snapshot, 'source' | 'window'> = {
      runId: 'bench',
      provider: 'db',
      phase: 'main',
      activeVUs: 8,
      ranMs: WINDOW_MS,
      operations: recorder.flush(),
      ...(arrivals ? { arrivals: { ...arrivals, intended: n + 1, started: n, dropped: 1 } } : {}),
      health: { loopDelayP99Us: 900 + (p % 13) * 50, cpu: 0.3 + (p % 7) / 20 },
    };
    recorder.destroy();
    pool.push(JSON.stringify(snapshot));
  }
  return pool;
}

function replayed(pool: readonly string[], agent: number, window: number): Snapshot {
  const s = JSON.parse(pool[(agent * 61 + window * 17) % pool.length]!) as Snapshot;
  s.source = `agent${agent}/w0`;
  s.window = window;
  return s;
}

function plan(variant: Variant): RunResult['plan'] {
  const profile =
    variant === 'open'
      ? `{ type: constant-arrival-rate, rate: 2000000, duration: ${WINDOWS}s, preAllocatedVUs: 8000 }`
      : `{ type: constant-vus, vus: 8000, duration: ${WINDOWS}s }`;
  const workload = OPERATIONS.map((o) => `{ name: ${o.name}, type: query, sql: SELECT 1, weight: ${o.share * 100} }`).join(', ');
  const scenario = parseScenario(
    `providers: [{ name: db, provider: sqlite_memory }]\nworkload: [${workload}]\nprofile: ${profile}\n`,
    'bench',
  );
  return buildPlan({ scenario, file: 'bench', baseDir: process.cwd() }, { workers: 1 });
}

/** What the engine knows of the provider's run when it settles it: 1,000 agents, one worker each. */
function progress(runPlan: RunResult['plan'], agents: number, windows: number): ProviderProgress {
  const sources = Array.from({ length: agents }, (_, a) => `agent${a}/w0`);
  const endedMs = windows * WINDOW_MS;
  return {
    config: runPlan.providers[0]!,
    connection: { name: 'db', provider: 'sqlite_memory', driver: 'better-sqlite3' },
    startedAt: 0,
    endedAt: endedMs,
    activeMs: endedMs,
    blockStarts: [0],
    workers: sources.map((source) => ({ source, ok: 0, errors: 0, windows, endedMs, stopped: false })),
    sites: sources.map((source, a) => ({
      site: `agent${a}`,
      info: { host: `host${a}`, id: `id${a}`, version: 'bench' },
      sources: [source],
      peakVus: 8,
      clock: { offsetMs: 0.4, rttMs: 0.8 },
      startLeadMs: 50,
    })),
    lost: [],
    shares: sources.map((source) => ({ source, remote: true, firstWindow: 0, owedUntilMs: endedMs })),
  };
}

function rssMB(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * Replays `agents` × `windows` recorded snapshots through the coordinator's own path: each window
 * is merged by `windowMerger` as its snapshots arrive (its figures read once all arrived, as the
 * live view does), then the run is settled and its report built and serialized. Run it in a fresh
 * process (see `bench()`): RSS only tells something there.
 */
export async function coordinatorFigures(variant: Variant, agents = AGENTS, windows = WINDOWS): Promise<CoordinatorFigures> {
  await initHistograms();
  const pool = recordedPool(variant);
  const runPlan = plan(variant);
  (globalThis as { gc?: () => void }).gc?.();
  const before = rssMB();
  let peak = before;

  const aggregator = new Aggregator();
  const merger = windowMerger('db', aggregator, 0, () => {});
  const perWindow: number[] = [];
  let mergeWall = 0;
  for (let w = 0; w < windows; w++) {
    const arriving = Array.from({ length: agents }, (_, a) => replayed(pool, a, w));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const s of arriving) merger.add(s, agents);
    mergeWall += performance.now() - t0;
    perWindow.push(cpuMs(cpu0));
    peak = Math.max(peak, rssMB());
  }

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = settle(progress(runPlan, agents, windows), aggregator, WINDOW_MS);
  aggregator.destroy();
  const report = buildReport({ plan: runPlan, status: 'complete', startedAt: 0, endedAt: windows * WINDOW_MS, providers: [run] });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const reportCpu = cpuMs(cpu0);
  const reportWall = performance.now() - t0;
  peak = Math.max(peak, rssMB());

  // The baseline last, so that its memory never counts in the peak above.
  let decodeCpu = 0;
  let decodeWall = 0;
  const all = newHistogram();
  for (let w = 0; w < windows; w++) {
    const arriving = Array.from({ length: agents }, (_, a) => replayed(pool, a, w));
    const c0 = process.cpuUsage();
    const d0 = performance.now();
    for (const s of arriving) {
      const encoded = [
        ...s.operations.flatMap((o) => [o.histogram, ...(o.corrected === undefined ? [] : [o.corrected])]),
        ...(s.arrivals ? [s.arrivals.lag] : []),
      ];
      for (const e of encoded) {
        const h = decodeHistogram(e);
        all.add(h);
        h.destroy();
      }
    }
    decodeWall += performance.now() - d0;
    decodeCpu += cpuMs(c0);
  }
  all.destroy();

  return {
    variant,
    agents,
    windows,
    merge: { cpu: perWindow.reduce((a, b) => a + b, 0), wall: mergeWall },
    windowCpu: { median: median(perWindow), max: Math.max(...perWindow) },
    report: { cpu: reportCpu, wall: reportWall, bytes: Buffer.byteLength(json) },
    decode: { cpu: decodeCpu, wall: decodeWall },
    rss: { before, peak },
  };
}

/** One replay in a fresh Node process (the bench's own loader flags kept), so that RSS is its own. */
function inChild(variant: Variant): Promise<CoordinatorFigures> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as CoordinatorFigures) : reject(new Error(`coordinator replay exited ${code}`)),
    ),
  );
}

export async function bench(): Promise<void> {
  for (const variant of ['closed', 'open'] as const) {
    const rounds: CoordinatorFigures[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await inChild(variant));
    const m = (pick: (f: CoordinatorFigures) => number): number => median(rounds.map(pick));
    const ops = variant === 'open' ? '3 operations + corrected twins + schedule lag' : '3 operations';
    section(`coordinator: ${AGENTS} agents x ${WINDOWS} windows, ${variant} model (${ops}), median of ${ROUNDS} fresh processes`);
    const decode = { name: 'decoding each histogram once and adding it', value: m((f) => f.decode.wall) };
    printFigure({ name: 'merge (live, every window), wall', value: m((f) => f.merge.wall), unit: 'ms', baseline: decode });
    printFigure({
      name: 'merge + report, wall',
      value: m((f) => f.merge.wall + f.report.wall),
      unit: 'ms',
      baseline: decode,
      goal: '< 3,000 ms',
    });
    printFigure({ name: 'report (settle, build, JSON), wall', value: m((f) => f.report.wall), unit: 'ms' });
    printFigure({ name: 'report JSON', value: m((f) => f.report.bytes) / 2 ** 20, unit: 'MB' });
    printFigure({
      name: 'one window of 1,000 snapshots, CPU per 1 s window (median)',
      value: m((f) => f.windowCpu.median) / 10,
      unit: '% of a core',
      baseline: { name: 'decoding alone', value: m((f) => f.decode.cpu / f.windows) / 10 },
      goal: '< 5 %',
    });
    printFigure({ name: 'one window, CPU, worst window', value: m((f) => f.windowCpu.max) / 10, unit: '% of a core' });
    printFigure({
      name: 'coordinator peak RSS',
      value: m((f) => f.rss.peak),
      unit: 'MB',
      baseline: { name: 'before the first snapshot', value: m((f) => f.rss.before) },
      goal: '< 500 MB',
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const variant = process.argv[2] === 'open' ? 'open' : 'closed';
  process.stdout.write(JSON.stringify(await coordinatorFigures(variant)));
}
