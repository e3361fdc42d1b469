import { randomUUID } from 'node:crypto';
import { redact } from '../util/secrets.js';
import type { TaskEvent, TaskLink, TaskSite } from '../engine/channel.js';
import type { CoordinatorMessage, WorkerTask } from '../engine/messages.js';
import type { Bus } from './bus.js';
import type { ClockEstimate } from './clock.js';
import {
  type AgentInfo,
  COORDINATOR_HEARTBEAT_MS,
  LOSS_CHECK_MS,
  messageSchemas,
  PROTOCOL_VERSION,
  type RemoteTask,
  START_LEAD_RTTS,
  type Subjects,
  type UpMessage,
} from './protocol.js';

/** What a remote site needs of the cluster: the bus, and what the cluster last heard of the agent. */
export interface SiteContext {
  bus: Bus;
  subject: Subjects;
  /** Silence after which the agent is lost (ms). */
  lossAfterMs: number;
  /** The coordinator signs its plans. */
  signed: boolean;
  /** When the agent was last heard (announcement, heartbeat or clock answer). */
  lastSeen(): number;
  /** The plan the agent last said it is busy with. */
  busyWith(): string | undefined;
}

/** A chosen agent as a TaskSite: the engine drives it like its local workers. */
export function remoteSite(agent: AgentInfo, clock: ClockEstimate, context: SiteContext): TaskSite {
  const { id, host, cores, workers, version, providers } = agent;
  return {
    name: agent.name,
    size: agent.workers,
    remote: true,
    info: { id, host, cores, workers, version, providers },
    startLeadMs: () => START_LEAD_RTTS * (clock.recentMaxRttMs ?? 0),
    clock: () => (clock.offsetMs === undefined ? undefined : { offsetMs: clock.offsetMs, rttMs: clock.rttMs! }),
    launch: (tasks, onEvent) => new RemotePlan(agent, clock, context, tasks, onEvent),
  };
}

/**
 * One plan on one agent: sent over NATS, its messages passed on (each snapshot once), kept
 * alive by heartbeats, and watched: an agent silent for the loss time is lost, and every task it
 * still holds with it.
 */
class RemotePlan implements TaskLink {
  private readonly planId = randomUUID();
  private readonly open: Set<string>;
  /** Snapshots already passed on: what an agent sends again after a reconnect counts once. */
  private readonly merged = new Set<string>();
  /** Every start and stop sent, to send again after a reconnect. */
  private readonly controls: CoordinatorMessage[] = [];
  private seq = 0;
  /** Since when the agent has been done with the plan while tasks are still open. */
  private idleSince: number | undefined;
  private readonly up: { unsubscribe(): void };
  private readonly beat: NodeJS.Timeout;
  private readonly watch: NodeJS.Timeout;
  private readonly offReconnect: () => void;

  constructor(
    private readonly agent: AgentInfo,
    private readonly clock: ClockEstimate,
    private readonly context: SiteContext,
    tasks: WorkerTask[],
    private readonly onEvent: (source: string, event: TaskEvent) => void,
  ) {
    const { bus, subject } = context;
    this.open = new Set(tasks.map((t) => t.source));
    this.up = bus.subscribe(
      subject.up(this.planId, agent.id),
      messageSchemas.up,
      (m) => this.onUp(m),
      (reason, version) => {
        if (version !== undefined) this.endAll({ type: 'failed', message: `agent ${agent.name} answered in ${reason}` });
      },
    );
    this.beat = setInterval(() => this.down({ type: 'heartbeat' }), COORDINATOR_HEARTBEAT_MS);
    // What we sent while cut off from NATS was lost, and so was what the agent sent us.
    this.offReconnect = bus.onReconnect((downMs) => {
      if (this.open.size === 0) return;
      this.controls.forEach((c) => this.control(c));
      this.down({ type: 'resend', lastMs: Math.max(1, downMs) });
    });
    this.watch = setInterval(() => this.checkSilence(), LOSS_CHECK_MS);
    this.sendPlan(tasks);
  }

  send(message: CoordinatorMessage): void {
    this.controls.push(message);
    this.control(message);
  }

  close(): void {
    clearInterval(this.beat);
    clearInterval(this.watch);
    this.offReconnect();
    this.up.unsubscribe();
  }

  private sendPlan(tasks: WorkerTask[]): void {
    const { agent, context } = this;
    context.bus.publish(context.subject.plan(agent.id), {
      v: PROTOCOL_VERSION,
      type: 'plan',
      runId: tasks[0]!.runId,
      planId: this.planId,
      agent: agent.id,
      sentAt: this.onAgentClock(Date.now()),
      lossAfterMs: context.lossAfterMs,
      tasks: tasks.map((t) => remoteTask(t, agent)),
    });
  }

  private onUp(m: UpMessage): void {
    if (m.planId !== this.planId) return;
    if (m.type === 'refused') {
      // We sign every plan: a refusal of an unsigned or forged one is not about ours.
      if (m.signature && this.context.signed) return;
      return this.endAll({ type: 'failed', message: redact(m.reason) });
    }
    if (m.type === 'stopped') return this.endAll({ type: 'lost', message: redact(m.reason) });
    if (m.message.type === 'snapshot') {
      const key = `${m.source}#${m.message.snapshot.window}`;
      if (this.merged.has(key)) return;
      this.merged.add(key);
    }
    // Snapshots of a source already over (a late one from a lost agent) still count.
    if (m.message.type === 'done' || m.message.type === 'failed') this.open.delete(m.source);
    this.onEvent(m.source, m.message);
  }

  /** Every task still open ends together: an agent refuses or goes silent as a whole. */
  private endAll(event: TaskEvent): void {
    for (const source of [...this.open]) {
      this.open.delete(source);
      this.onEvent(source, event);
    }
  }

  private checkSilence(): void {
    if (this.open.size === 0) return;
    const name = this.agent.name;
    const silentMs = Date.now() - this.context.lastSeen();
    if (silentMs > this.context.lossAfterMs) return this.endAll({ type: 'lost', message: `agent ${name} silent for ${silentMs} ms` });
    // An agent done with the plan whose last messages never came, even when asked again.
    const started = this.controls.some((c) => c.type === 'start');
    this.idleSince = started && this.context.busyWith() !== this.planId ? (this.idleSince ?? Date.now()) : undefined;
    if (this.idleSince !== undefined && Date.now() - this.idleSince > this.context.lossAfterMs) {
      this.endAll({ type: 'lost', message: `agent ${name} ended the plan, but its last messages never arrived` });
    }
  }

  /** Coordinator → agent for this plan: numbered, and stamped on the agent's clock, so a replay is refused. */
  private down(m: object): void {
    const { bus, subject } = this.context;
    const stamp = { v: PROTOCOL_VERSION, planId: this.planId, seq: this.seq++, sentAt: this.onAgentClock(Date.now()) };
    bus.publish(subject.down(this.planId, this.agent.id), { ...stamp, ...m });
  }

  private control(message: CoordinatorMessage): void {
    this.down({
      type: 'control',
      message: message.type === 'start' ? { ...message, startAt: this.onAgentClock(message.startAt) } : message,
    });
  }

  /** A time on our clock as the agent's clock reads it. */
  private onAgentClock(ms: number): number {
    return ms + (this.clock.offsetMs ?? 0);
  }
}

/** The task as it crosses NATS: no local directory, and a provider the agent holds goes by name. */
function remoteTask(task: WorkerTask, agent: AgentInfo): RemoteTask {
  const { baseDir: _local, provider, ...rest } = task;
  return { ...rest, provider: agent.providers.includes(provider.name) ? { ref: provider.name } : provider };
}
