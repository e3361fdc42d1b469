import { resolve } from 'node:path';
import { formatPath } from '../config/load.js';
import { registerDsnSecrets } from '../util/secrets.js';
import { type Scenario, scenarioSchema } from '../config/schema.js';
import { UserError } from '../errors.js';
import { buildPlan, type PlanOverrides, type RunPlan } from './plan.js';

/**
 * A plan made from library options instead of a file: the same validation and the same plan the
 * CLI gets, so the library API runs on the one engine. Errors name the field as a file would.
 */
export function libraryPlan(scenario: Scenario, overrides: PlanOverrides = {}, baseDir = process.cwd()): RunPlan {
  const parsed = scenarioSchema.safeParse(scenario);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${scenario.name ?? 'library call'}: ${formatPath(issue.path) || '(top level)'}: ${issue.message}`);
  }
  for (const p of parsed.data.providers) registerDsnSecrets(p.dsn);
  const plan = buildPlan({ scenario: parsed.data, file: scenario.name ?? 'library call', baseDir: resolve(baseDir) }, overrides);
  return { ...plan, file: undefined };
}
