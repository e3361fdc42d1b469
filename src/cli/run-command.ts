import { basename, extname, join } from 'node:path';
import { loadScenario } from '../config/load.js';
import { runPlan } from '../engine/engine.js';
import { createLogger } from '../log.js';
import { buildPlan } from '../plan/plan.js';
import { buildReport } from '../report/build.js';
import { renderSummary } from '../report/console.js';
import { liveLine } from '../report/live.js';
import { writeJsonAtomic } from '../report/write.js';
import { renderComparisons } from '../api/comparison-report.js';
import { sideBySide } from './side-by-side.js';

export interface RunFlags {
  duration?: number;
  vus?: number;
  workers?: number;
  out?: string;
  keepData?: boolean;
  interleave?: number;
  logLevel: string;
  live: boolean;
}

/** `stampede run`: returns the exit code (0 complete, 1 failed, 130 interrupted). */
export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const logger = createLogger({ level: flags.logLevel });
  const plan = buildPlan(loadScenario(file), {
    vus: flags.vus,
    durationMs: flags.duration,
    workers: flags.workers,
    keepData: flags.keepData,
    interleave: flags.interleave,
  });
  const out = flags.out ?? join('reports', `${basename(file, extname(file))}-${plan.runId.slice(0, 8)}.json`);

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
      onWindow: flags.live ? (provider, w) => process.stderr.write(`${liveLine(provider, w, plan.windowMs)}\n`) : undefined,
    });
    const report = buildReport(result);
    const comparisons = sideBySide(result, report);
    if (comparisons.length > 0) report.comparisons = comparisons;
    writeJsonAtomic(out, report);
    for (const run of result.providers) run.aggregator.destroy();
    const compared = comparisons.length > 0 ? `\n\n${renderComparisons(comparisons)}` : '';
    process.stdout.write(`${renderSummary(report)}${compared}\nreport: ${out}\n`);
    if (report.status === 'failed') return 1;
    return report.status === 'partial' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
