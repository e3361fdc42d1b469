import type { RunPlan } from '../plan/plan.js';
import { profileFor } from '../profiles/index.js';
import { evaluateThresholds, ThresholdWatch } from '../report/thresholds.js';
import type { Report } from '../report/types.js';
import type { WindowFigures } from '../metrics/aggregate.js';

/**
 * The scenario's thresholds around one run: abortOnFail ones watched window by window (aborting
 * through the same signal as Ctrl-C, so in-flight operations finish and are counted), and all of
 * them evaluated on the merged report at the end.
 */
export class ThresholdGate {
  private readonly watch: ThresholdWatch | undefined;
  private abortedBy: string | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly controller: AbortController,
  ) {
    const thresholds = plan.scenario.thresholds ?? [];
    this.watch = thresholds.some((t) => t.abortOnFail)
      ? new ThresholdWatch(thresholds, plan.windowMs, profileFor(plan.profile.type).durationMs(plan.profile))
      : undefined;
  }

  /** Called for each merged window; the first broken abortOnFail threshold stops the run. */
  onWindow(provider: string, w: WindowFigures): void {
    if (!this.watch || this.abortedBy !== undefined || this.controller.signal.aborted) return;
    const broken = this.watch.check(provider, w);
    if (broken === undefined) return;
    this.abortedBy = broken;
    process.stderr.write(`\nstopping: threshold ${broken} (abortOnFail)\n`);
    this.controller.abort();
  }

  /** Adds the thresholds' results (and what stopped the run) to the report. */
  apply(report: Report): void {
    const thresholds = this.plan.scenario.thresholds;
    if (thresholds?.length) {
      report.thresholds = evaluateThresholds(
        report,
        thresholds,
        this.plan.providers.map((p) => p.name),
      );
    }
    if (this.abortedBy !== undefined) report.abortedBy = this.abortedBy;
  }
}
