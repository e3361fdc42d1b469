import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { ProviderConfig } from '../providers/config.js';
import { loadProviderFile } from '../config/load.js';
import { redact } from '../util/secrets.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { localSite, type TaskEvent, type TaskLink } from '../engine/channel.js';
import type { WorkerTask } from '../engine/messages.js';
import { workerGroup } from '../engine/worker-group.js';
import { needsDocumentsTable } from '../operations/compile.js';
import { createDocumentsTable } from '../operations/documents.js';
import { loadScripts } from '../operations/script.js';
import { createProvider, loadProviderModule, registeredKinds } from '../providers/index.js';
import { VERSION } from '../version.js';
import { type AgentEffect, type AgentEvent, type AgentSelf, agentTransition, IDLE } from './agent-state.js';
import { Bus, type NatsFlags } from './bus.js';
import { Outbox } from './outbox.js';
import {
  type AgentInfo,
  DEFAULT_DEAD_MAN_MS,
  type DownMessage,
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

/** What a launched plan holds: its link to the workers, its coordinator's messages, the dead-man switch. */
interface LiveRun {
  link: TaskLink;
  down: { unsubscribe(): void };
  deadMan: NodeJS.Timeout;
  /** Resolves when every task of the plan has ended. */
  ended: Promise<void>;
  over: () => void;
}

/** How often the dead-man switch looks at the coordinator's silence. */
const DEAD_MAN_CHECK_MS = 100;
/** How long an agent asked to end waits for its tasks' last messages. */
const SHUTDOWN_WAIT_MS = 5000;

/**
 * `stampede agent`: workers on another host. It announces itself, heartbeats, answers clock
 * probes, and runs the plans it is given with the very same worker tasks as a local run,
 * relaying their messages over NATS. Resolves when `signal` aborts.
 */
export async function runAgent(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const own = options.providers ? loadProviderFile(options.providers) : undefined;
  const agent = await Agent.connect(options, own);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await agent.close();
}

/**
 * The agent's shell around its state machine (agent-state.ts): NATS messages, worker events and
 * the dead-man clock become events; the transitions' effects are carried out here.
 */
class Agent {
  private state = IDLE;
  private live: LiveRun | undefined;
  private seq = 0;
  private readonly self: AgentSelf;
  private readonly subject;
  private readonly group;
  private readonly outbox;
  private readonly heartbeat: NodeJS.Timeout;

  static async connect(options: AgentOptions, own: OwnProviders | undefined): Promise<Agent> {
    const name = options.name ?? defaultName();
    return new Agent(options, own, name, await Bus.connect(options, `stampede-agent ${name}`, options.logger));
  }

  private constructor(
    private readonly options: AgentOptions,
    private readonly own: OwnProviders | undefined,
    private readonly name: string,
    private readonly bus: Bus,
  ) {
    // Unique per process: two agents given one name, or a restarted agent, never share it.
    const id = randomBytes(6).toString('hex');
    this.self = { id, workers: options.workers, deadManMs: options.deadManMs ?? DEFAULT_DEAD_MAN_MS };
    this.subject = subjects(options.prefix);
    this.group = workerGroup(options.workers);
    this.outbox = new Outbox(bus, options.logger);
    this.listen();
    this.say('announce');
    this.heartbeat = setInterval(() => this.say('heartbeat'), HEARTBEAT_MS);
    const { workers, prefix, secret, logger } = options;
    logger.info({ id, name, workers, prefix, signed: Boolean(secret), deadManMs: this.self.deadManMs }, 'agent ready');
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  private listen(): void {
    this.bus.onReconnect((downMs) => this.outbox.resend(undefined, downMs));
    this.bus.subscribe(
      this.subject.plan(this.self.id),
      messageSchemas.plan,
      (plan) => this.dispatch({ type: 'plan', plan, nowMs: Date.now() }),
      (reason, version, data) => this.answerRejected(reason, version, data),
    );
    this.bus.subscribe(this.subject.clock(this.self.id), messageSchemas.clockPing, (m, _subject, reply) => {
      const t2 = Date.now();
      if (reply) this.bus.publish(reply, { v: PROTOCOL_VERSION, type: 'clock', t1: m.t1, t2, t3: Date.now() });
    });
  }

  private dispatch(event: AgentEvent): void {
    const step = agentTransition(this.self, this.state, event);
    this.state = step.state;
    for (const effect of step.effects) this.apply(effect);
  }

  private apply(effect: AgentEffect): void {
    switch (effect.type) {
      case 'refuse':
        return this.refuse(effect.planId, effect.reason);
      case 'prepare':
        return void this.prepare(effect.plan).catch((err: unknown) =>
          this.logger.error({ planId: effect.plan.planId, err: redact(errorMessage(err)) }, 'plan failed'),
        );
      case 'launch':
        return this.launch(effect);
      case 'relay':
        return this.live?.link.send(effect.message);
      case 'stopped':
        return this.stopped(effect);
      case 'finish':
        return this.finish(effect);
    }
  }

  private info(): AgentInfo {
    const { state } = this;
    return {
      id: this.self.id,
      name: this.name,
      host: hostname(),
      cores: availableParallelism(),
      workers: this.self.workers,
      version: VERSION,
      kinds: registeredKinds(),
      providers: this.own?.providers.map((p) => p.name) ?? [],
      ...(state.phase !== 'idle' ? { busy: state.planId } : {}),
      seq: this.seq++,
    };
  }

  private say(type: 'announce' | 'heartbeat' | 'bye'): void {
    this.bus.publish(this.subject.agents, { v: PROTOCOL_VERSION, type, agent: this.info() });
  }

  private refuse(planId: string, reason: string, signature = false): void {
    this.logger.warn({ planId, reason }, 'refused a plan');
    this.bus.publish(this.subject.up(planId, this.self.id), {
      v: PROTOCOL_VERSION,
      type: 'refused',
      planId,
      reason: `agent ${this.name}: ${reason}`,
      ...(signature ? { signature } : {}),
    });
  }

  /**
   * A plan that failed the checks: the coordinator hears why when it is another protocol
   * version, or a signature this side cannot accept (it would otherwise wait for us forever).
   * Garbage gets no answer.
   */
  private answerRejected(reason: string, version: number | undefined, data: Uint8Array): void {
    const planId = planIdOf(data);
    if (!planId) return;
    if (version !== undefined) this.refuse(planId, `speaks protocol version ${PROTOCOL_VERSION}; the plan is ${reason.split(',')[0]}`);
    else if (/signature|unsigned/.test(reason)) this.refuse(planId, `${reason} (is --secret the same on both sides?)`, true);
  }

  private async prepare(plan: PlanMessage): Promise<void> {
    const { planId } = plan;
    let tasks: WorkerTask[];
    try {
      tasks = plan.tasks.map((t) => resolveTask(t, this.own));
      await prepare(tasks, this.own?.baseDir ?? process.cwd());
    } catch (err) {
      return this.dispatch({ type: 'prepareFailed', planId, reason: redact(errorMessage(err)) });
    }
    this.dispatch({ type: 'prepared', planId, tasks, nowMs: Date.now() });
  }

  private launch({ planId, runId, tasks, silenceMs }: Extract<AgentEffect, { type: 'launch' }>): void {
    const fresh = replayGuard(planId, this.logger);
    const down = this.bus.subscribe(this.subject.down(planId, this.self.id), messageSchemas.down, (m) => {
      if (m.planId !== planId || !fresh(m)) return;
      if (m.type === 'resend') return this.outbox.resend(planId, m.lastMs);
      const nowMs = Date.now();
      this.dispatch(m.type === 'control' ? { type: 'control', planId, message: m.message, nowMs } : { type: 'heartbeat', planId, nowMs });
    });
    const deadMan = setInterval(() => this.dispatch({ type: 'tick', nowMs: Date.now() }), DEAD_MAN_CHECK_MS);
    let over!: () => void;
    const ended = new Promise<void>((resolve) => (over = resolve));
    this.logger.info({ runId, tasks: tasks.length, deadManMs: silenceMs }, 'running a plan');
    const link = localSite(this.group).launch(tasks, (source, event) => this.relayUp(planId, source, event));
    this.live = { link, down, deadMan, ended, over };
  }

  /** A worker's message, to the coordinator; kept a while, so that it can be sent again. */
  private relayUp(planId: string, source: string, event: TaskEvent): void {
    // Snapshots' error samples are masked in the worker already; a failure message is not.
    const message = event.type === 'failed' ? { ...event, message: redact(event.message) } : event;
    this.outbox.send(planId, this.subject.up(planId, this.self.id), { v: PROTOCOL_VERSION, type: 'worker', planId, source, message });
    if (event.type === 'done' || event.type === 'failed') this.dispatch({ type: 'taskEnded', planId, source });
  }

  private stopped({ planId, runId, silentMs }: Extract<AgentEffect, { type: 'stopped' }>): void {
    this.logger.warn({ runId, silentMs }, 'the coordinator went silent: stopping the load');
    const reason = `agent ${this.name} stopped its load: no word from the coordinator for ${silentMs} ms (dead-man switch)`;
    this.outbox.send(planId, this.subject.up(planId, this.self.id), { v: PROTOCOL_VERSION, type: 'stopped', planId, reason });
  }

  private finish({ planId, runId }: Extract<AgentEffect, { type: 'finish' }>): void {
    const live = this.live!;
    this.live = undefined;
    clearInterval(live.deadMan);
    live.link.close();
    this.logger.info({ runId }, 'run over');
    // Kept a while, so that a coordinator that was cut off can still ask for the end of the run.
    setTimeout(() => {
      live.down.unsubscribe();
      this.outbox.forget(planId);
    }, RESEND_KEEP_MS).unref();
    live.over();
  }

  /** Stops gracefully: in-flight operations finish, the last snapshots and 'done' go out. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.dispatch({ type: 'shutdown' });
    if (this.live) await waitAtMost(this.live.ended, SHUTDOWN_WAIT_MS);
    this.say('bye');
    await this.bus.nc.flush().catch(() => {});
    await this.group.close();
    await this.bus.close();
  }
}

/**
 * A replayed or stale message from the coordinator must neither keep the dead-man switch quiet
 * nor steer the run: each must count up and be fresh on this agent's clock.
 */
function replayGuard(planId: string, logger: Logger): (m: DownMessage) => boolean {
  let lastSeq = -1;
  let warned = false;
  return (m) => {
    const ageMs = Date.now() - m.sentAt;
    if (m.seq > lastSeq && Math.abs(ageMs) <= FRESH_MS) {
      lastSeq = m.seq;
      return true;
    }
    if (!warned) logger.warn({ planId, seq: m.seq, lastSeq, ageMs }, 'ignored a stale or replayed message from the coordinator');
    warned = true;
    return false;
  };
}

async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

type OwnProviders = { providers: ProviderConfig[]; baseDir: string };

/** A task as the agent's workers run it: a named provider is taken from the agent's own file. */
function resolveTask(task: RemoteTask, own: OwnProviders | undefined): WorkerTask {
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
  // The scripts' modules must be on this host too: a missing one refuses the plan before any load.
  await loadScripts(tasks[0]!.workload, baseDir);
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
