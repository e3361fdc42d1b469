import { dirname, resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { readUserFile } from '../util/files.js';
import { check, fieldName, problemLine } from '../util/issues.js';
import { registerDsnSecrets } from '../util/secrets.js';
import { structureProblem, tooDeepOffset } from './structure.js';
import { type ProviderConfig, providerConfigSchema } from '../providers/config.js';
import { type Scenario, scenarioSchema } from './schema.js';

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** Relative paths in the scenario (custom modules, SQLite files) resolve from here. */
  baseDir: string;
}

/**
 * Reads a YAML or JSON scenario (JSON is YAML), interpolates `${VAR}` from the environment and
 * validates it. Every error is one line naming the file, the line and the field.
 */
export function loadScenario(file: string, env: NodeJS.ProcessEnv = process.env): LoadedScenario {
  const scenario = parseScenario(readUserFile(file, file, 'scenario', 'utf8'), file, env);
  return { scenario, file, baseDir: dirname(resolve(file)) };
}

export function parseScenario(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Scenario {
  const scenario = parseConfig(text, file, scenarioSchema, env);
  for (const p of scenario.providers) registerDsnSecrets(p.dsn);
  return scenario;
}

const providerFileSchema = z.strictObject({ providers: z.array(providerConfigSchema).min(1, 'must list at least one provider') });

/** An agent's own provider file: `providers:` as in a scenario, so DSNs stay on the agent's host. */
export function loadProviderFile(file: string, env: NodeJS.ProcessEnv = process.env): { providers: ProviderConfig[]; baseDir: string } {
  const { providers } = parseConfig(readUserFile(file, file, 'provider file', 'utf8'), file, providerFileSchema, env);
  for (const p of providers) registerDsnSecrets(p.dsn);
  return { providers, baseDir: dirname(resolve(file)) };
}

/**
 * Parses YAML (or JSON) against a schema, with `${VAR}` from the environment. Every error is one
 * line naming the file, the line and the field.
 */
export function parseConfig<T>(text: string, file: string, schema: z.ZodType<T>, env: NodeJS.ProcessEnv = process.env): T {
  const lines = new LineCounter();
  const deep = tooDeepOffset(text);
  const doc = parseDocument(deep === undefined ? text : text.slice(0, deep), { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lines.linePos(offset).line);
  // Before syntax errors: nesting too deep for the composer leaves it a stack overflow as its error.
  const problem = structureProblem(doc);
  if (problem)
    throw new UserError(problemLine(`${file}:${lineOf(problem.offset)}`, { field: fieldName(problem.path), message: problem.message }));
  if (deep !== undefined) throw new UserError(`${file}:${lineOf(deep)}: nested too deeply`);
  const syntax = doc.errors[0];
  if (syntax) throw new UserError(`${file}:${lineOf(syntax.pos[0])}: ${syntax.message.split('\n')[0]}`);

  interpolateEnv(doc, env, (offset, message) => new UserError(`${file}:${lineOf(offset)}: ${message}`));
  // The structure check bounds what aliases expand to, exactly; the parser's own guess would refuse sound files.
  const checked = check(schema, doc.toJS({ maxAliasCount: -1 }));
  if (!checked.success) throw new UserError(problemLine(`${file}:${lineOf(offsetOf(doc, checked.problem.path))}`, checked.problem));
  return checked.data;
}

function interpolateEnv(doc: Document, env: NodeJS.ProcessEnv, fail: (offset: number | undefined, m: string) => Error): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
        const value = env[name] ?? fallback;
        if (value === undefined) throw fail(node.range?.[0], `environment variable ${name} is not set`);
        return value;
      });
    },
  });
}

/** The nearest node that exists along the path (a missing field points at its parent). */
function offsetOf(doc: Document, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (node && typeof node === 'object' && 'range' in node) {
      const range = (node as { range?: [number, number, number] }).range;
      if (range) return range[0];
    }
    if (isScalar(node) && node.range) return node.range[0];
  }
  return undefined;
}
