import { availableParallelism, hostname } from 'node:os';
import type { ProviderConfig } from '../config/schema.js';
import { loadProviderFile } from '../config/load.js';
import { redact } from '../config/redact.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { localSite, type TaskLink } from '../engine/channel.js';
import type { WorkerTask } from '../engine/messages.js';
import { workerGroup } from '../engine/worker-group.js';
import { needsDocumentsTable } from '../operations/compile.js';
import { createDocumentsTable } from '../operations/documents.js';
import { createProvider, loadProviderModule, registeredKinds } from '../providers/index.js';
import { VERSION } from '../version.js';
import { Bus, type NatsFlags } from './bus.js';
import {
  type AgentInfo,
  DEAD_MAN_MS,
  HEARTBEAT_MS,
  messageSchemas,
  PLAN_MAX_AGE_MS,
  type PlanMessage,
  PROTOCOL_VERSION,
  type RemoteTask,
  subjects,
  tokenSchema,
} from './protocol.js';

export interface AgentOptions extends NatsFlags {
  name?: string;
  workers: number;
  /** The agent's own provider file: plans then name these providers instead of carrying DSNs. */
  providers?: string;
  logger: Logger;
}

/** A run the agent is executing: its link to the workers and the dead-man switch watching it. */
interface ActiveRun {
  link: TaskLink;
  open: Set<string>;
  lastHeard: number;
  stopped: boolean;
  cleanup: () => void;
  /** Resolves the `ended` promise. */
  over: () => void;
  ended: Promise<void>;
}

/**
 * `stampede agent`: workers on another host. It announces itself, heartbeats, and runs the plans
 * it is given with the very same worker tasks as a local run, relaying their messages over NATS.
 * Resolves when `signal` aborts.
 */
export async function runAgent(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  const own = options.providers ? loadProviderFile(options.providers) : undefined;
  const id = agentId(options.name);
  const name = options.name ?? id;
  const subject = subjects(options.prefix);
  const bus = await Bus.connect(options, `stampede-agent ${name}`, logger);
  const group = workerGroup(options.workers);
  const ran = new Set<string>();
  /** The plan being prepared or run: one at a time. */
  let busy: string | undefined;
  let active: ActiveRun | undefined;

  const info = (): AgentInfo => ({
    id,
    name,
    host: hostname(),
    cores: availableParallelism(),
    workers: options.workers,
    version: VERSION,
    kinds: registeredKinds(),
    providers: own?.providers.map((p) => p.name) ?? [],
    ...(busy ? { busy } : {}),
  });
  const say = (type: 'announce' | 'heartbeat' | 'bye'): void => bus.publish(subject.agents, { v: PROTOCOL_VERSION, type, agent: info() });
  const refuse = (planId: string, reason: string): void => {
    logger.warn({ planId, reason }, 'refused a plan');
    bus.publish(subject.up(planId, id), { v: PROTOCOL_VERSION, type: 'refused', planId, reason: `agent ${name}: ${reason}` });
  };

  const onPlan = async (plan: PlanMessage): Promise<void> => {
    const { planId } = plan;
    if (busy) return refuse(planId, `busy with plan ${busy}`);
    if (ran.has(planId)) return refuse(planId, 'this plan was already executed (a replay?)');
    if (Math.abs(Date.now() - plan.sentAt) > PLAN_MAX_AGE_MS) return refuse(planId, 'the plan is too old (a replay, or clocks out of sync)');
    if (plan.tasks.some((t) => t.runId !== plan.runId)) return refuse(planId, 'tasks of another run in the plan');
    if (plan.tasks.length > options.workers) return refuse(planId, `${plan.tasks.length} tasks for ${options.workers} workers`);
    ran.add(planId);
    busy = planId;
    let tasks: WorkerTask[];
    try {
      tasks = plan.tasks.map((t) => resolveTask(t, own));
      await prepare(tasks, own?.baseDir ?? process.cwd());
    } catch (err) {
      busy = undefined;
      return refuse(planId, redact(errorMessage(err)));
    }
    start(planId, plan.runId, tasks);
  };

  const start = (planId: string, runId: string, tasks: WorkerTask[]): void => {
    const up = subject.up(planId, id);
    const down = bus.subscribe(subject.down(planId, id), messageSchemas.down, (m) => {
      if (m.planId !== planId || !active) return;
      active.lastHeard = Date.now();
      if (m.type === 'control') active.link.send(m.message);
    });
    // The dead-man switch: a coordinator that went silent cannot stop us, so we stop ourselves.
    const deadMan = setInterval(() => {
      if (!active || active.stopped || Date.now() - active.lastHeard <= DEAD_MAN_MS) return;
      active.stopped = true;
      const silentMs = Date.now() - active.lastHeard;
      logger.warn({ runId, silentMs }, 'the coordinator went silent: stopping the load');
      active.link.send({ type: 'stop' });
      // If the coordinator is only cut off and comes back, it must not take the shortened share
      // for a whole one: it hears a failure, then the snapshots up to the stop.
      const message = `agent ${name} stopped its load: no word from the coordinator for ${silentMs} ms (dead-man switch)`;
      for (const source of active.open) bus.publish(up, { v: PROTOCOL_VERSION, type: 'worker', planId, source, message: { type: 'failed', message } });
    }, 100);
    let over!: () => void;
    const ended = new Promise<void>((resolve) => (over = resolve));
    const run: ActiveRun = {
      over,
      ended,
      open: new Set(tasks.map((t) => t.source)),
      lastHeard: Date.now(),
      stopped: false,
      link: undefined as unknown as TaskLink,
      cleanup: () => {
        clearInterval(deadMan);
        down.unsubscribe();
        run.link.close();
        active = undefined;
        busy = undefined;
        logger.info({ runId }, 'run over');
        run.over();
      },
    };
    active = run;
    logger.info({ runId, tasks: tasks.length }, 'running a plan');
    run.link = localSite(group).launch(tasks, (source, event) => {
      // Snapshots' error samples are masked in the worker already; a failure message is not.
      const message = event.type === 'failed' ? { ...event, message: redact(event.message) } : event;
      bus.publish(up, { v: PROTOCOL_VERSION, type: 'worker', planId, source, message });
      if ((event.type === 'done' || event.type === 'failed') && run.open.delete(source) && run.open.size === 0) run.cleanup();
    });
  };

  bus.subscribe(
    subject.plan(id),
    messageSchemas.plan,
    (plan) => void onPlan(plan).catch((err: unknown) => logger.error({ planId: plan.planId, err: redact(errorMessage(err)) }, 'plan failed')),
    (reason, version, data) => {
      // A plan of another protocol version gets an answer the coordinator can show; anything
      // unsigned or malformed gets none.
      const planId = version === undefined ? undefined : planIdOf(data);
      if (planId) refuse(planId, `speaks protocol version ${PROTOCOL_VERSION}; the plan is ${reason.split(',')[0]}`);
    },
  );
  say('announce');
  const heartbeat = setInterval(() => say('heartbeat'), HEARTBEAT_MS);
  logger.info({ id, name, workers: options.workers, prefix: options.prefix, signed: Boolean(options.secret) }, 'agent ready');

  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(heartbeat);
  // Stop gracefully: in-flight operations finish, the last snapshots and 'done' go out.
  if (active) {
    active.link.send({ type: 'stop' });
    await Promise.race([active.ended, new Promise((r) => setTimeout(r, 5000))]);
  }
  say('bye');
  await bus.nc.flush().catch(() => {});
  await group.close();
  await bus.close();
}

/** A task as the agent's workers run it: a named provider is taken from the agent's own file. */
function resolveTask(task: RemoteTask, own: { providers: ProviderConfig[]; baseDir: string } | undefined): WorkerTask {
  let provider: ProviderConfig;
  if ('ref' in task.provider) {
    const ref = task.provider.ref;
    const found = own?.providers.find((p) => p.name === ref);
    if (!found) throw new Error(`no provider "${ref}" in this agent's provider file`);
    provider = found;
  } else provider = task.provider;
  return { ...task, provider, baseDir: own?.baseDir ?? process.cwd() };
}

/**
 * The prepare step: every provider the plan uses must initialize and answer its health check. The
 * tool's table is made here too (if missing): a database the agent reaches, such as a SQLite file
 * on its own disk, may not be the one the coordinator prepared.
 */
async function prepare(tasks: WorkerTask[], baseDir: string): Promise<void> {
  const byName = new Map(tasks.map((t) => [t.provider.name, t.provider]));
  const documents = needsDocumentsTable(tasks[0]!.workload);
  for (const config of byName.values()) {
    await loadProviderModule(config, baseDir);
    const provider = createProvider({ ...config, options: { ...config.options, poolSize: 1 } });
    try {
      await provider.initialize();
      if (!(await provider.healthCheck())) throw new Error(`provider "${config.name}" failed its health check`);
      if (documents && provider.sharedAcrossInstances) await createDocumentsTable(provider);
    } finally {
      await provider.close().catch(() => {});
    }
  }
}

function planIdOf(data: Uint8Array): string | undefined {
  try {
    const planId = (JSON.parse(new TextDecoder().decode(data)) as { planId?: unknown }).planId;
    return tokenSchema.safeParse(planId).success ? (planId as string) : undefined;
  } catch {
    return undefined;
  }
}

/** The name if given, else host and pid: one subject token, unique per process. */
function agentId(name: string | undefined): string {
  return (name ?? `${hostname()}-${process.pid}`).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}
