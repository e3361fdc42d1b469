import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { ProviderConfig } from '../providers/config.js';
import { loadProviderFile } from '../config/load.js';
import { redact } from '../util/secrets.js';
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
  DEFAULT_DEAD_MAN_MS,
  FRESH_MS,
  HEARTBEAT_MS,
  messageSchemas,
  type PlanMessage,
  PROTOCOL_VERSION,
  type RemoteTask,
  RESEND_KEEP_MS,
  subjects,
  tokenSchema,
} from './protocol.js';

export interface AgentOptions extends NatsFlags {
  name?: string;
  workers: number;
  /** The agent's own provider file: plans then name these providers instead of carrying DSNs. */
  providers?: string;
  /** Silence from the coordinator after which the load stops (ms); default DEFAULT_DEAD_MAN_MS. */
  deadManMs?: number;
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

/** What was sent for a plan lately, to send again when it may have been lost. */
interface Outbox {
  subject: string;
  sent: Array<{ at: number; message: object }>;
}

/** Sent again after a reconnect: what went out this long before the connection dropped may be lost too. */
const RESEND_MARGIN_MS = 3000;

/**
 * `stampede agent`: workers on another host. It announces itself, heartbeats, answers clock
 * probes, and runs the plans it is given with the very same worker tasks as a local run,
 * relaying their messages over NATS. Resolves when `signal` aborts.
 */
export async function runAgent(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const { logger } = options;
  const own = options.providers ? loadProviderFile(options.providers) : undefined;
  // Unique per process: two agents given one name, or a restarted agent, never share it.
  const id = randomBytes(6).toString('hex');
  const name = options.name ?? defaultName();
  const deadManMs = options.deadManMs ?? DEFAULT_DEAD_MAN_MS;
  const subject = subjects(options.prefix);
  const bus = await Bus.connect(options, `stampede-agent ${name}`, logger);
  const group = workerGroup(options.workers);
  const ran = new Set<string>();
  const outboxes = new Map<string, Outbox>();
  /** The plan being prepared or run: one at a time. */
  let busy: string | undefined;
  let active: ActiveRun | undefined;
  let seq = 0;

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
    seq: seq++,
  });
  const say = (type: 'announce' | 'heartbeat' | 'bye'): void => bus.publish(subject.agents, { v: PROTOCOL_VERSION, type, agent: info() });
  /** Everything sent about a plan is kept a while, so that it can be sent again. */
  const send = (planId: string, message: object): void => {
    const outbox = outboxes.get(planId) ?? { subject: subject.up(planId, id), sent: [] };
    outboxes.set(planId, outbox);
    const now = Date.now();
    outbox.sent.push({ at: now, message });
    while (outbox.sent.length && outbox.sent[0]!.at < now - RESEND_KEEP_MS) outbox.sent.shift();
    bus.publish(outbox.subject, message);
  };
  const resend = (planId: string | undefined, lastMs: number): void => {
    const since = Date.now() - lastMs - RESEND_MARGIN_MS;
    for (const [id, outbox] of outboxes) {
      if (planId && id !== planId) continue;
      const again = outbox.sent.filter((s) => s.at >= since);
      for (const s of again) bus.publish(outbox.subject, s.message);
      if (again.length) logger.info({ planId: id, messages: again.length }, 'sent again what may have been lost');
    }
  };
  bus.onReconnect((downMs) => resend(undefined, downMs));
  const refuse = (planId: string, reason: string, signature = false): void => {
    logger.warn({ planId, reason }, 'refused a plan');
    bus.publish(subject.up(planId, id), {
      v: PROTOCOL_VERSION,
      type: 'refused',
      planId,
      reason: `agent ${name}: ${reason}`,
      ...(signature ? { signature } : {}),
    });
  };

  const onPlan = async (plan: PlanMessage): Promise<void> => {
    const { planId } = plan;
    if (plan.agent !== id)
      return refuse(planId, `the plan is for agent process ${plan.agent}, this is ${id} (a replay to a restarted agent?)`);
    if (busy) return refuse(planId, `busy with plan ${busy}`);
    if (ran.has(planId)) return refuse(planId, 'this plan was already executed (a replay?)');
    const ageMs = Date.now() - plan.sentAt;
    if (Math.abs(ageMs) > FRESH_MS) return refuse(planId, `the plan is stale (sent ${ageMs} ms ago on this agent's clock: a replay?)`);
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
    // Stop before the coordinator declares us lost: a share it counts as gone must be gone.
    start(planId, plan.runId, tasks, Math.max(HEARTBEAT_MS, Math.min(deadManMs, plan.lossAfterMs - HEARTBEAT_MS)));
  };

  const start = (planId: string, runId: string, tasks: WorkerTask[], silenceMs: number): void => {
    let lastSeq = -1;
    let warned = false;
    const down = bus.subscribe(subject.down(planId, id), messageSchemas.down, (m) => {
      if (m.planId !== planId) return;
      // A replayed or stale message must neither keep the dead-man switch quiet nor steer the run.
      const ageMs = Date.now() - m.sentAt;
      if (m.seq <= lastSeq || Math.abs(ageMs) > FRESH_MS) {
        if (!warned) logger.warn({ planId, seq: m.seq, lastSeq, ageMs }, 'ignored a stale or replayed message from the coordinator');
        warned = true;
        return;
      }
      lastSeq = m.seq;
      if (m.type === 'resend') return resend(planId, m.lastMs);
      if (!active || busy !== planId) return;
      active.lastHeard = Date.now();
      if (m.type === 'control') active.link.send(m.message);
    });
    // The dead-man switch: a coordinator that went silent cannot stop us, so we stop ourselves.
    const deadMan = setInterval(() => {
      if (!active || active.stopped || Date.now() - active.lastHeard <= silenceMs) return;
      active.stopped = true;
      const silentMs = Date.now() - active.lastHeard;
      logger.warn({ runId, silentMs }, 'the coordinator went silent: stopping the load');
      active.link.send({ type: 'stop' });
      // If the coordinator is only cut off and comes back, it must not take the shortened share
      // for a whole one: it hears that the share stopped, then the snapshots up to the stop.
      const reason = `agent ${name} stopped its load: no word from the coordinator for ${silentMs} ms (dead-man switch)`;
      send(planId, { v: PROTOCOL_VERSION, type: 'stopped', planId, reason });
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
        run.link.close();
        active = undefined;
        busy = undefined;
        logger.info({ runId }, 'run over');
        // Kept a while, so that a coordinator that was cut off can still ask for the end of the run.
        setTimeout(() => {
          down.unsubscribe();
          outboxes.delete(planId);
        }, RESEND_KEEP_MS).unref();
        run.over();
      },
    };
    active = run;
    logger.info({ runId, tasks: tasks.length, deadManMs: silenceMs }, 'running a plan');
    run.link = localSite(group).launch(tasks, (source, event) => {
      // Snapshots' error samples are masked in the worker already; a failure message is not.
      const message = event.type === 'failed' ? { ...event, message: redact(event.message) } : event;
      send(planId, { v: PROTOCOL_VERSION, type: 'worker', planId, source, message });
      if ((event.type === 'done' || event.type === 'failed') && run.open.delete(source) && run.open.size === 0) run.cleanup();
    });
  };

  bus.subscribe(
    subject.plan(id),
    messageSchemas.plan,
    (plan) =>
      void onPlan(plan).catch((err: unknown) => logger.error({ planId: plan.planId, err: redact(errorMessage(err)) }, 'plan failed')),
    (reason, version, data) => {
      // The coordinator hears why: another protocol version, or a signature this side cannot
      // accept (it would otherwise wait for us forever). Garbage gets no answer.
      const planId = planIdOf(data);
      if (!planId) return;
      if (version !== undefined) refuse(planId, `speaks protocol version ${PROTOCOL_VERSION}; the plan is ${reason.split(',')[0]}`);
      else if (/signature|unsigned/.test(reason)) refuse(planId, `${reason} (is --secret the same on both sides?)`, true);
    },
  );
  bus.subscribe(subject.clock(id), messageSchemas.clockPing, (m, _subject, reply) => {
    const t2 = Date.now();
    if (reply) bus.publish(reply, { v: PROTOCOL_VERSION, type: 'clock', t1: m.t1, t2, t3: Date.now() });
  });
  say('announce');
  const heartbeat = setInterval(() => say('heartbeat'), HEARTBEAT_MS);
  logger.info({ id, name, workers: options.workers, prefix: options.prefix, signed: Boolean(options.secret), deadManMs }, 'agent ready');

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
      if (!(await provider.healthCheck())) throw new Error(`provider "${config.name}" failed its health check${await causeOf(provider)}`);
      if (documents && provider.sharedAcrossInstances) await createDocumentsTable(provider);
    } finally {
      await provider.close().catch(() => {});
    }
  }
}

/** The health check only says no; one statement says why (a wrong password, a missing database). */
async function causeOf(provider: ReturnType<typeof createProvider>): Promise<string> {
  try {
    await provider.execute('SELECT 1');
    return '';
  } catch (err) {
    return `: ${redact(errorMessage(err) || String((err as { code?: string }).code))}`;
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

/** Host and pid, as one subject-safe token. */
function defaultName(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}
