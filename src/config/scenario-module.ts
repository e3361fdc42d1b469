import { dirname, extname, resolve } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { check, problemLine } from '../util/issues.js';
import { importUserModule } from '../util/modules.js';
import { registerDsnSecrets } from '../util/secrets.js';
import { type LoadedScenario, loadScenario } from './load.js';
import { type ScenarioInput, scenarioSchema } from './schema.js';

/**
 * A scenario written in TypeScript (or JavaScript): `export default defineScenario({...})`. The
 * type is the YAML file's schema, so an editor checks and completes the same fields.
 */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}

const MODULE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** A scenario file of either form: YAML or JSON text, or a module whose default export is the scenario. */
export async function loadAnyScenario(file: string): Promise<LoadedScenario> {
  return MODULE.has(extname(file)) ? loadScenarioModule(file) : loadScenario(file);
}

async function loadScenarioModule(file: string): Promise<LoadedScenario> {
  const path = resolve(file);
  let exported: Record<string, unknown>;
  try {
    exported = await importUserModule(path);
  } catch (err) {
    throw new UserError(`${file}: cannot load: ${errorMessage(err).split('\n')[0]}`);
  }
  if (exported.default === undefined) throw new UserError(`${file}: no default export (export default defineScenario({ … }))`);
  const checked = check(scenarioSchema, exported.default);
  if (!checked.success) throw new UserError(problemLine(file, checked.problem));
  for (const p of checked.data.providers) registerDsnSecrets(p.dsn);
  return { scenario: checked.data, file, baseDir: dirname(path) };
}
