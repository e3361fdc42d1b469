import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { requireTool } from './tools.js';

/** The JUnit XML shape CI tools read (Jenkins' junit-10), as an XSD. */
export const JUNIT_XSD = join(ROOT, 'test', 'fixtures', 'junit-10.xsd');

/** Throws with xmllint's message unless the file validates against the JUnit XSD. */
export function validateJunit(file: string): void {
  execFileSync(requireTool('xmllint'), ['--noout', '--schema', JUNIT_XSD, file], { stdio: 'pipe' });
}
