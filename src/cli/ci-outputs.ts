import { writeFileSync } from 'node:fs';
import { checkOutPath } from './out-path.js';

/** `--junit` and `--summary-md`: where to write the CI outputs of `run` and `compare`. */
export interface CiFlags {
  junit?: string;
  summaryMd?: string;
}

/** Checked before any work: a run whose CI outputs then cannot be written is wasted. */
export function checkCiPaths(flags: CiFlags): void {
  if (flags.junit !== undefined) checkOutPath(flags.junit, '--junit');
  if (flags.summaryMd !== undefined) checkOutPath(flags.summaryMd, '--summary-md');
}

export function writeCiOutputs(flags: CiFlags, render: { junit: () => string; summaryMd: () => string }): void {
  if (flags.junit !== undefined) writeFileSync(flags.junit, render.junit());
  if (flags.summaryMd !== undefined) writeFileSync(flags.summaryMd, render.summaryMd());
}
