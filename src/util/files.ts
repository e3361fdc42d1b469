import { readFileSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';

/**
 * Reads a file the user named; an unreadable one is one line, `<where>: cannot read <what>: ENOENT`
 * (the error code, or the message when there is none).
 */
export function readUserFile(path: string, where: string, what: string): Buffer;
export function readUserFile(path: string, where: string, what: string, encoding: 'utf8'): string;
export function readUserFile(path: string, where: string, what: string, encoding?: 'utf8'): Buffer | string {
  try {
    return readFileSync(path, encoding);
  } catch (err) {
    throw new UserError(`${where}: cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}
