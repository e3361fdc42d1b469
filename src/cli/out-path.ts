import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError, errorMessage } from '../errors.js';

/**
 * Checks, before any load runs, that a report can be written at `out`: a run whose report then
 * cannot be saved is wasted (and may have loaded a database for nothing). Creates the folder and a
 * probe file, as the atomic writer will (a temp file in the same folder, renamed).
 */
export function checkOutPath(out: string, flag = '--out'): void {
  if (out.trim() === '') throw new UserError(`${flag}: must be a file path, not empty`);
  if (out.includes('\0')) throw new UserError(`${flag}: must not contain a NUL byte`);
  const probe = `${out}.tmp-${process.pid}`;
  try {
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`${flag}: ${out} is a directory; give a file path such as ${join(out, 'report.json')}`);
    }
    makeFolder(dirname(out));
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${flag}: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}

/** `mkdir -p` one level at a time: Node 20's recursive mkdir never returns for a path under /proc. */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) mkdirSync(d);
}
