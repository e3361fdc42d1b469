import { resolve } from 'node:path';
import { registerDsnSecrets } from '../util/secrets.js';
import { type ScenarioInput, scenarioSchema } from '../config/schema.js';
import { UserError } from '../errors.js';
import { check, problemLine } from '../util/issues.js';
import { buildPlan, type PlanOverrides, type RunPlan } from './plan.js';

/**
 * A plan made from library options instead of a file: the same validation and the same plan the
 * CLI gets, so the library API runs on the one engine. Errors name the field as a file would.
 */
export function libraryPlan(scenario: ScenarioInput, overrides: PlanOverrides = {}, baseDir = process.cwd()): RunPlan {
  const parsed = check(scenarioSchema, scenario);
  if (!parsed.success) throw new UserError(problemLine(scenario.name ?? 'library call', parsed.problem));
  for (const p of parsed.data.providers) registerDsnSecrets(p.dsn);
  const plan = buildPlan({ scenario: parsed.data, file: scenario.name ?? 'library call', baseDir: resolve(baseDir) }, overrides);
  return { ...plan, file: undefined };
}
