import { basename, extname, join } from 'node:path';
import { loadScenario } from '../config/load.js';
import { type AgentLossPolicy, runPlan } from '../engine/engine.js';
import { type NatsFlags, natsFlagsFromEnv } from '../distributed/bus.js';
import { type AgentWanted, Cluster } from '../distributed/coordinator.js';
import { UserError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { buildPlan, type RunPlan } from '../plan/plan.js';
import type { Stage } from '../profiles/stages.js';
import { buildReport } from '../report/build.js';
import { renderSummary } from '../views/console.js';
import { liveLine } from '../views/live.js';
import { writeJsonAtomic } from '../report/write.js';
import { renderComparisons } from '../api/comparison-report.js';
import { checkOutPath } from './out-path.js';
import { sideBySide } from './side-by-side.js';

/** The run finished but some window lacks part of a share: its figures are flagged as low. */
const DEGRADED_EXIT = 3;

export interface RunFlags extends Partial<NatsFlags> {
  agents?: AgentWanted;
  agentTimeout: number;
  local: boolean;
  onAgentLoss: AgentLossPolicy;
  agentLossAfter: number;
  readyTimeout: number;
  duration?: number;
  vus?: number;
  rate?: number;
  stages?: Stage[];
  workers?: number;
  out?: string;
  keepData?: boolean;
  interleave?: number;
  seed?: number;
  logLevel: string;
  live: boolean;
}

/** `stampede run`: returns the exit code (0 complete, 1 failed or unverified, 3 degraded, 130 interrupted). */
export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const logger = createLogger({ level: flags.logLevel });
  const plan = buildPlan(loadScenario(file), {
    vus: flags.vus,
    rate: flags.rate,
    stages: flags.stages,
    durationMs: flags.duration,
    workers: flags.workers,
    keepData: flags.keepData,
    interleave: flags.interleave,
    seed: flags.seed,
  });
  const out = flags.out ?? join('reports', `${basename(file, extname(file))}-${plan.runId.slice(0, 8)}.json`);
  checkOutPath(out);

  if (flags.agents !== undefined && !flags.nats) throw new UserError('--agents needs --nats <url>');
  if (!flags.local && !flags.nats) throw new UserError('--no-local needs agents: add --nats <url> --agents <n>');
  const cluster = flags.nats
    ? await Cluster.connect(natsFlagsFromEnv(flags as NatsFlags), logger, { lossAfterMs: flags.agentLossAfter })
    : undefined;
  try {
    return await runWith(cluster, plan, out, flags, logger);
  } finally {
    await cluster?.close();
  }
}

async function runWith(cluster: Cluster | undefined, plan: RunPlan, out: string, flags: RunFlags, logger: Logger): Promise<number> {
  const agents = cluster ? await cluster.waitFor(flags.agents ?? 1, flags.agentTimeout) : [];
  cluster?.checkProviders(agents, plan.providers);
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finishing in-flight operations (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runPlan(plan, {
      logger,
      signal: controller.signal,
      agents,
      local: flags.local,
      onAgentLoss: flags.onAgentLoss,
      readyTimeoutMs: flags.readyTimeout,
      onWindow: flags.live ? (provider, w) => process.stderr.write(`${liveLine(provider, w, plan.windowMs)}\n`) : undefined,
    });
    const report = buildReport(result);
    const comparisons = sideBySide(report);
    if (comparisons.length > 0) report.comparisons = comparisons;
    writeJsonAtomic(out, report);
    const compared = comparisons.length > 0 ? `\n\n${renderComparisons(comparisons)}` : '';
    process.stdout.write(`${renderSummary(report)}${compared}\nreport: ${out}\n`);
    if (report.status === 'failed') return 1;
    if (report.status === 'partial') return 130;
    // The load ran, but the report cannot vouch for its count, or the tool's tables were left behind.
    if (report.providers.some((p) => p.verification?.documents?.error !== undefined || (p.teardown && 'error' in p.teardown))) return 1;
    if (report.providers.some((p) => p.consistency?.ok === false || (p.scenarioTeardown && 'error' in p.scenarioTeardown))) return 1;
    return report.status === 'degraded' ? DEGRADED_EXIT : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
