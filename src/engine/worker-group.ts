import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { RunFailure } from '../errors.js';
import type { WorkerResult, WorkerTask } from './messages.js';
import { runWorkerTask } from './worker-task.js';

/** Where a run's worker tasks execute: Piscina threads, or the main thread for `--workers 0`. */
export interface WorkerGroup {
  /** How many shares the load is split into. */
  readonly size: number;
  launch(task: WorkerTask, port: MessagePort): Promise<WorkerResult>;
  close(): Promise<void>;
}

export function workerGroup(workers: number): WorkerGroup {
  return workers === 0 ? inProcessGroup() : piscinaGroup(workers);
}

function inProcessGroup(): WorkerGroup {
  return { size: 1, launch: runWorkerTask, close: async () => {} };
}

function piscinaGroup(threads: number): WorkerGroup {
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: threads,
    maxThreads: threads,
    // The default 'sync' atomics freeze an idle worker's event loop; ours keep sockets and timers.
    atomics: 'disabled',
    idleTimeout: 60_000,
    execArgv: withoutTsx(process.execArgv),
  });
  return {
    size: threads,
    launch: (task, port) => pool.run({ task, port }, { transferList: [port] }) as Promise<WorkerResult>,
    close: () => pool.destroy(),
  };
}

/**
 * Worker threads run compiled JavaScript, without the main thread's tsx (`--import tsx`): inherited,
 * it loads the engine a second time as CommonJS beside the ES module that a user's TypeScript
 * module (a custom kind, a script) imports, and that module would register into the other copy.
 * A `.ts` module gets tsx's ES loader in the thread itself (src/util/modules.ts).
 */
function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^(--import|--loader|--experimental-loader|--require|-r)$/.test(arg) && /\btsx\b/.test(argv[i + 1] ?? '')) i++;
    else if (!/^--(import|loader|experimental-loader|require)=.*\btsx\b/.test(arg)) out.push(arg);
  }
  return out;
}

/**
 * Worker threads load compiled JavaScript (they cannot load `.ts` on Node 20), so the entry is
 * found from the package root whether this module runs from `src/` (tests) or `dist/src/`.
 */
function workerFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isPackageRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new RunFailure('cannot find the stampede package root');
    dir = parent;
  }
  const file = join(dir, 'dist', 'workers', 'worker.js');
  if (!existsSync(file)) throw new RunFailure(`${file} is missing: run "npm run build" first`);
  return file;
}

function isPackageRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  return existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stampede';
}
