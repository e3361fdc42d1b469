import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's own code, compiled (`dist/src`, `dist/workers`) or not: a kind registered there is built in. */
const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url)))).replace(/[\\/]dist$/, '');
const OWN = [`${ROOT}${sep}src${sep}`, `${ROOT}${sep}dist${sep}`, `${ROOT}${sep}workers${sep}`];

/** A stack frame's file: `at fn (file:///a/b.ts:3:7)`, `at file:///a/b.js:1:1`, `at /a/b.js:2:3`. */
const FRAME_FILE = /(?:\(|at )((?:file:\/\/)?\/[^()\s]*?|[A-Za-z]:\\[^()\s]*?):\d+:\d+\)?$/;

/**
 * The file of the first caller outside this package: the user's module that called
 * `registerProvider`, undefined for a built-in kind. Read from the call stack, as the guide's
 * skeleton names no module (under tsx the frame is the `.ts` file itself).
 */
export function registeringModule(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME_FILE.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!;
    // tsx's own frames show up around module evaluation under its loader.
    if (OWN.some((own) => file.startsWith(own)) || /[\\/]node_modules[\\/]tsx[\\/]/.test(file)) continue;
    return file;
  }
  return undefined;
}
