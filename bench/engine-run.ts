import { parseScenario } from '../src/config/load.js';
import { type ProviderRun, runPlan } from '../src/engine/engine.js';
import { silentLogger } from '../src/log.js';
import type { WindowFigures } from '../src/metrics/aggregate.js';
import { buildPlan } from '../src/plan/plan.js';
import { profileFor } from '../src/profiles/index.js';
import { type Measured, ownCpuUs, type ServerCpu, type ServerSample, serverCpuBetween } from './cpu.js';

/** One window as the bench saw it arrive: its figures, when, and the CPU used by then. */
export interface WindowSeen {
  figures: WindowFigures;
  /** Epoch ms when its figures were merged (every worker's snapshot in). */
  at: number;
  rss: number;
  clientUs: number;
  server?: Promise<ServerSample>;
}

export interface EngineRun extends Measured {
  run: ProviderRun;
  windowMs: number;
  /** The profile's planned length (Infinity when it has none). */
  durationMs: number;
  windows: WindowSeen[];
}

/** Scenario text for one provider and one statement; `profile` is the YAML flow map of the profile. */
export function scenario(provider: string, dsn: string | undefined, sql: string, profile: string, options?: string): string {
  return `providers:
  - name: bench
    provider: ${provider}
${dsn ? `    dsn: '${dsn}'\n` : ''}${options ? `    options: ${options}\n` : ''}workload:
  - type: query
    sql: ${sql}
profile: ${profile}
`;
}

/**
 * Runs a scenario on the one engine (the CLI's path) with `workers` worker threads. The rate is
 * over the run's active time; CPU per operation is read between the first window's figures and
 * the last one's that ends before the load does, over the operations of the windows in between,
 * so starting the workers, opening and closing connections are left out (runs of 3 s or more). The server's CPU is read when `server` and the DSN's
 * application name (`application`) are given.
 */
export async function runEngine(yaml: string, workers: number, server?: { cpu: ServerCpu; application: string }): Promise<EngineRun> {
  const plan = buildPlan({ scenario: parseScenario(yaml, 'bench'), file: 'bench', baseDir: process.cwd() }, { workers });
  const windows: WindowSeen[] = [];
  const result = await runPlan(plan, {
    logger: silentLogger(),
    onWindow: (_provider, figures) => {
      if (windows.some((w) => w.figures.window === figures.window)) return;
      windows.push({
        figures,
        at: Date.now(),
        rss: process.memoryUsage().rss,
        clientUs: ownCpuUs(),
        server: server?.cpu.sample(server.application),
      });
    },
  });
  const run = result.providers[0]!;
  if (run.failure) throw new Error(`bench run failed: ${run.failure}`);
  const durationMs = profileFor(plan.profile.type).durationMs(plan.profile) ?? Infinity;
  const measured: EngineRun = { rate: run.figures.total.ok / (run.activeMs / 1000), run, windowMs: plan.windowMs, durationMs, windows };
  const samples = await Promise.all(windows.map((w) => w.server ?? Promise.resolve(undefined)));
  // Windows merged while the load still ran: a later one arrives after the connections closed.
  const inside = windows.filter((w) => (w.figures.window + 1) * plan.windowMs < durationMs).length;
  const ops = windows.slice(1, inside).reduce((n, w) => n + w.figures.ok, 0);
  if (inside > 1 && ops > 0) {
    measured.clientUsPerOp = (windows[inside - 1]!.clientUs - windows[0]!.clientUs) / ops;
    const [first, last] = [samples[0], samples[inside - 1]];
    if (first && last) measured.serverUsPerOp = serverCpuBetween(first, last) / ops;
  }
  return measured;
}
