import { basename, extname, join } from 'node:path';
import { loadAnyScenario } from '../config/scenario-module.js';
import { type AgentLossPolicy, runPlan } from '../engine/engine.js';
import { type NatsFlags, natsFlagsFromEnv } from '../distributed/bus.js';
import { type AgentWanted, Cluster } from '../distributed/coordinator.js';
import { UserError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { takeNotes } from '../util/notes.js';
import { buildPlan, type RunPlan } from '../plan/plan.js';
import type { Stage } from '../profiles/stages.js';
import { buildReport } from '../report/build.js';
import { renderDesignLimits, renderSummary } from '../views/console.js';
import { liveLine, liveOutput } from '../views/live.js';
import { renderHtml } from '../views/html/page.js';
import { writeJsonAtomic, writeTextAtomic } from '../report/write.js';
import { isOpenModel, profileFor } from '../profiles/index.js';
import { Dashboard } from './dashboard.js';
import { renderComparisons } from '../api/comparison-report.js';
import { checkOutPath } from './out-path.js';
import { sideBySide } from './side-by-side.js';
import { runExitCode } from './exit-code.js';
import { ThresholdGate } from './thresholds-gate.js';
import { type CiFlags, checkCiPaths, writeCiOutputs } from './ci-outputs.js';
import { renderThresholds } from '../views/thresholds.js';
import { runJunit } from '../views/junit.js';
import { runSummaryMd } from '../views/summary-md.js';

/** `--dashboard` without a port: k6's web dashboard port, which users of load tools know. */
export const DASHBOARD_PORT = 5665;

export interface RunFlags extends Partial<NatsFlags>, CiFlags {
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
  /** Also write the self-contained HTML report here. */
  html?: string;
  /** Serve the live dashboard on 127.0.0.1 (true: the default port). */
  dashboard?: true | number;
}

/** `stampede run`: returns the exit code (`runExitCode`: 0 complete, 1 failed or unverified, 3 degraded, 4 a threshold failed, 130 interrupted). */
export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const logger = createLogger({ level: flags.logLevel });
  const plan = buildPlan(await loadAnyScenario(file), {
    vus: flags.vus,
    rate: flags.rate,
    stages: flags.stages,
    durationMs: flags.duration,
    workers: flags.workers,
    keepData: flags.keepData,
    interleave: flags.interleave,
    seed: flags.seed,
  });
  for (const line of takeNotes()) process.stderr.write(`stampede: note: ${line}\n`);
  const out = flags.out ?? join('reports', `${basename(file, extname(file))}-${plan.runId.slice(0, 8)}.json`);
  checkOutPath(out);
  checkCiPaths(flags);
  if (flags.html !== undefined) checkOutPath(flags.html, '--html');

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
  const gate = new ThresholdGate(plan, controller);
  const dashboard = flags.dashboard === undefined ? undefined : await startDashboard(plan, flags.dashboard);
  const live = flags.live ? liveOutput(process.stderr) : undefined;
  try {
    const result = await runPlan(plan, {
      logger,
      signal: controller.signal,
      agents,
      local: flags.local,
      onAgentLoss: flags.onAgentLoss,
      readyTimeoutMs: flags.readyTimeout,
      onWindow: (provider, w) => {
        live?.line(liveLine(provider, w, plan.windowMs));
        dashboard?.window(provider, w);
        gate.onWindow(provider, w);
      },
    });
    live?.end();
    const report = buildReport(result);
    gate.apply(report);
    const comparisons = sideBySide(report);
    if (comparisons.length > 0) report.comparisons = comparisons;
    writeJsonAtomic(out, report);
    if (flags.html !== undefined) writeTextAtomic(flags.html, renderHtml(report));
    dashboard?.finish(report);
    const limits = renderDesignLimits(report);
    const compared = comparisons.length > 0 ? `\n\n${renderComparisons(comparisons)}${limits ? `\n${limits}` : ''}` : '';
    const thresholds = report.thresholds?.length ? `\n\n${renderThresholds(report)}` : '';
    const html = flags.html === undefined ? '' : `html: ${flags.html}\n`;
    process.stdout.write(`${renderSummary(report)}${compared}${thresholds}\nreport: ${out}\n${html}`);
    writeCiOutputs(flags, { junit: () => runJunit(report), summaryMd: () => runSummaryMd(report) });
    return runExitCode(report);
  } finally {
    live?.end();
    await dashboard?.close();
    process.off('SIGINT', onSigint);
  }
}

/** The live dashboard on 127.0.0.1, its address on stderr before the load starts. */
async function startDashboard(plan: RunPlan, port: true | number): Promise<Dashboard> {
  const dashboard = await Dashboard.start(port === true ? DASHBOARD_PORT : port, {
    name: plan.name,
    runId: plan.runId,
    windowMs: plan.windowMs,
    open: isOpenModel(plan.profile),
    providers: plan.providers.map((p) => p.name),
    operations: [...plan.operationNames],
    phases: (profileFor(plan.profile.type).phases?.(plan.profile) ?? []).map((ph) => ({
      name: ph.name,
      fromSec: ph.startMs / 1000,
      toSec: ph.endMs / 1000,
    })),
  });
  process.stderr.write(`dashboard: ${dashboard.url}\n`);
  return dashboard;
}
