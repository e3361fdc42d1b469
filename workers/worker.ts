// Piscina entry point: one long task per worker per run (never one task per query).
import type { MessagePort } from 'node:worker_threads';
import { runWorkerTask } from '../src/engine/worker-task.js';
import type { WorkerResult, WorkerTask } from '../src/engine/messages.js';

export default function run({ task, port }: { task: WorkerTask; port: MessagePort }): Promise<WorkerResult> {
  return runWorkerTask(task, port);
}
