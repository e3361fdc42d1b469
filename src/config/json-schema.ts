import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/**
 * The JSON Schema of a scenario file, generated from the one zod schema (what a file may say,
 * before durations and rates are resolved), for editors: `# yaml-language-server: $schema=…`.
 * Refinements zod cannot express (a profile or scenarios, not both) are checked on load.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, title: 'Stampede scenario' };
}
