import { MessageChannel } from 'node:worker_threads';
import { check, problemLine } from '../util/issues.js';
import { errorMessage } from '../errors.js';
import { type CoordinatorMessage, type WorkerMessage, workerMessageSchema, type WorkerTask } from './messages.js';
import type { WorkerGroup } from './worker-group.js';

/**
 * What the coordinator hears from a task: what the worker sent, or — for a remote task — that
 * the agent running it went silent.
 */
export type TaskEvent = WorkerMessage | { type: 'lost'; message: string };

/** The coordinator's end of a site's tasks: start and stop go to every task of the site. */
export interface TaskLink {
  send(m: CoordinatorMessage): void;
  close(): void;
}

/**
 * Where tasks run: worker threads of this process, or the workers of a remote agent. The engine
 * drives both through this one interface, so there is a single coordinator loop.
 */
export interface TaskSite {
  /** `local`, or the agent's name: the prefix of its tasks' sources. */
  readonly name: string;
  /** Workers at the site: each takes one share of the load. */
  readonly size: number;
  /**
   * Another process, reached over a network: its share can go missing or start late for reasons
   * of its own (a partition, a clock). A local share that runs short was held up by this very
   * machine: the generator set the pace.
   */
  readonly remote: boolean;
  /** What a remote agent announced about itself, for the report. */
  readonly info?: Record<string, unknown>;
  /** How far ahead the common start must be for a start message to reach the site in time (ms). */
  startLeadMs?(): number;
  /** A remote site's clock against this process's: offset (its clock minus ours) and round trip, in ms. */
  clock?(): { offsetMs: number; rttMs: number } | undefined;
  launch(tasks: WorkerTask[], onEvent: (source: string, event: TaskEvent) => void): TaskLink;
}

/** This process's workers, each task over its own MessagePort. */
export function localSite(group: WorkerGroup): TaskSite {
  return {
    name: 'local',
    size: group.size,
    remote: false,
    launch(tasks, onEvent) {
      const ports = tasks.map((task) => {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (m: unknown) => onEvent(task.source, workerEvent(m)));
        group.launch(task, port2).catch((err: unknown) => onEvent(task.source, { type: 'failed', message: errorMessage(err) }));
        return port1;
      });
      return {
        send: (m) => ports.forEach((p) => p.postMessage(m)),
        close: () => ports.forEach((p) => p.close()),
      };
    },
  };
}

/**
 * A worker's message, checked against its schema like one that crossed NATS: a few µs a
 * snapshot, once per window. A malformed one fails its source instead of reaching the merge.
 */
export function workerEvent(m: unknown): TaskEvent {
  const checked = check(workerMessageSchema, m);
  return checked.success ? checked.data : { type: 'failed', message: problemLine('malformed message from the worker', checked.problem) };
}
