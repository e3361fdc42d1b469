import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** Extensions Node 20 cannot import without a loader: tsx compiles them on import. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

let tsxRegistered = false;

/** True when the main thread already runs under tsx (`node --import tsx`, `tsx file`). */
function runsUnderTsx(): boolean {
  return isMainThread && /\btsx\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
}

/**
 * tsx's loader, registered once in this thread. Worker threads never inherit the main thread's
 * loaders on Node 20, and a compiled CLI has none: either way a `.ts` module needs it here.
 */
async function ensureTypeScript(): Promise<void> {
  if (tsxRegistered || runsUnderTsx()) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/** A user's module path, absolute: a relative one resolves from `baseDir` (the scenario's directory). */
export function modulePath(specifier: string, baseDir: string): string {
  if (specifier.startsWith('file:')) return fileURLToPath(specifier);
  return isAbsolute(specifier) ? specifier : resolve(baseDir, specifier);
}

/**
 * Imports a user's module (JavaScript or TypeScript) in this thread. Each worker thread and agent
 * calls this itself, so no function or class ever crosses a thread. Throws with the cause as Node
 * gives it; callers name what the module was for.
 */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new Error(`no such file ${path}`);
  if (TYPESCRIPT.has(extname(path))) await ensureTypeScript();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}
