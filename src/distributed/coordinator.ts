import { randomUUID } from 'node:crypto';
import { carriesSecret, redact } from '../config/redact.js';
import type { ProviderConfig } from '../config/schema.js';
import type { TaskEvent, TaskSite } from '../engine/channel.js';
import type { WorkerTask } from '../engine/messages.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { Bus, type NatsFlags } from './bus.js';
import {
  type AgentInfo,
  COORDINATOR_HEARTBEAT_MS,
  LOSS_CHECK_MS,
  LOST_AFTER_MS,
  messageSchemas,
  MISSED_HEARTBEATS,
  PROTOCOL_VERSION,
  type RemoteTask,
  subjects,
} from './protocol.js';

interface Known {
  info: AgentInfo;
  lastSeen: number;
}

/** Which agents a run wants: any N idle ones, or these by name. */
export type AgentWanted = number | string[];

/**
 * The coordinator's view of the agents on one prefix: who is there (from announces and
 * heartbeats), and a TaskSite per chosen agent that the engine drives like its local workers.
 */
export class Cluster {
  private readonly known = new Map<string, Known>();
  /** Agents heard speaking another protocol version, by name: named when they are missing. */
  private readonly otherVersion = new Map<string, string>();
  /** Why other announcements were refused (a wrong --secret shows up here). */
  private readonly refusedReasons = new Set<string>();
  private readonly subject;
  private readonly agentsSub;

  private constructor(
    private readonly bus: Bus,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.subject = subjects(prefix);
    this.agentsSub = bus.subscribe(
      this.subject.agents,
      messageSchemas.agent,
      (m) => {
        if (m.type === 'bye') this.known.delete(m.agent.id);
        else this.known.set(m.agent.id, { info: m.agent, lastSeen: Date.now() });
      },
      (reason, version, data) => {
        if (version === undefined) return void this.refusedReasons.add(reason);
        const name = agentNameOf(data);
        if (name && !this.otherVersion.has(name)) {
          this.otherVersion.set(name, reason);
          logger.error({ agent: name, reason }, `agent ${name} speaks another protocol version: ignoring it`);
        }
      },
    );
  }

  static async connect(flags: NatsFlags, logger: Logger): Promise<Cluster> {
    return new Cluster(await Bus.connect(flags, 'stampede-coordinator', logger), flags.prefix, logger);
  }

  /** Waits until the wanted agents are idle and heard from; a timeout names who is missing. */
  async waitFor(wanted: AgentWanted, timeoutMs: number): Promise<TaskSite[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chosen = this.choose(wanted);
      if (chosen) {
        this.logger.info({ agents: chosen.map((a) => a.name) }, 'agents ready');
        return chosen.map((a) => this.site(a));
      }
      if (Date.now() >= deadline) throw new UserError(this.missing(wanted, timeoutMs));
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private alive(): AgentInfo[] {
    const now = Date.now();
    return [...this.known.values()]
      .filter((k) => now - k.lastSeen <= LOST_AFTER_MS && !k.info.busy)
      .map((k) => k.info)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private choose(wanted: AgentWanted): AgentInfo[] | undefined {
    const idle = this.alive();
    if (typeof wanted === 'number') return idle.length >= wanted ? idle.slice(0, wanted) : undefined;
    const chosen = wanted.map((n) => idle.find((a) => a.name === n || a.id === n));
    return chosen.every(Boolean) ? (chosen as AgentInfo[]) : undefined;
  }

  private missing(wanted: AgentWanted, timeoutMs: number): string {
    const idle = this.alive();
    const busy = [...this.known.values()].filter((k) => k.info.busy).map((k) => k.info.name);
    const notes = [
      ...(busy.length ? [`busy: ${busy.join(', ')}`] : []),
      ...[...this.otherVersion].map(([name, reason]) => `${name} refused: ${reason}`),
      ...(this.refusedReasons.size ? [`announcements refused: ${[...this.refusedReasons].join(', ')} (is --secret the same on both sides?)`] : []),
    ];
    const tail = notes.length ? ` (${notes.join('; ')})` : '';
    const waited = `waited ${timeoutMs / 1000}s for agents on prefix "${this.subject.agents.replace(/\.agents$/, '')}"`;
    if (typeof wanted === 'number') {
      const found = idle.map((a) => a.name);
      return `${waited}: ${found.length} of ${wanted} ready${found.length ? ` (${found.join(', ')})` : ''}, ${wanted - found.length} missing${tail}`;
    }
    const missing = wanted.filter((n) => !idle.some((a) => a.name === n || a.id === n));
    return `${waited}: missing ${missing.join(', ')}${tail}`;
  }

  /**
   * A provider's DSN may cross NATS only when it carries no secret; an agent that holds the
   * provider in its own file gets its name instead. Checked before any load starts.
   */
  checkProviders(sites: TaskSite[], providers: ProviderConfig[]): void {
    for (const site of sites) {
      const held = (site.info?.providers as string[] | undefined) ?? [];
      for (const p of providers) {
        if (!held.includes(p.name) && carriesSecret(p)) {
          throw new UserError(
            `provider "${p.name}": its DSN holds a password, which is never sent over NATS; ` +
              `give agent ${site.name} a provider file (--providers) that defines "${p.name}"`,
          );
        }
      }
    }
  }

  private site(agent: AgentInfo): TaskSite {
    const { bus, subject } = this;
    const lastSeen = (): number => this.known.get(agent.id)?.lastSeen ?? 0;
    return {
      name: agent.name,
      size: agent.workers,
      info: { id: agent.id, host: agent.host, cores: agent.cores, workers: agent.workers, version: agent.version, providers: agent.providers },
      launch(tasks, onEvent) {
        const planId = randomUUID();
        const open = new Set(tasks.map((t) => t.source));
        // Every task still open fails together: an agent refuses or goes silent as a whole.
        const endAll = (event: TaskEvent): void => {
          for (const source of [...open]) {
            open.delete(source);
            onEvent(source, event);
          }
        };
        const upSub = bus.subscribe(
          subject.up(planId, agent.id),
          messageSchemas.up,
          (m) => {
            if (m.planId !== planId) return;
            if (m.type === 'refused') return endAll({ type: 'failed', message: redact(m.reason) });
            // Snapshots of a source already over (a late one from a lost agent) still count.
            if (m.message.type === 'done' || m.message.type === 'failed') open.delete(m.source);
            onEvent(m.source, m.message);
          },
          (reason, version) => {
            if (version !== undefined) endAll({ type: 'failed', message: `agent ${agent.name} answered in ${reason}` });
          },
        );
        const down = (m: object): void => bus.publish(subject.down(planId, agent.id), { v: PROTOCOL_VERSION, planId, ...m });
        const beat = setInterval(() => down({ type: 'heartbeat' }), COORDINATOR_HEARTBEAT_MS);
        const watch = setInterval(() => {
          if (open.size && Date.now() - lastSeen() > LOST_AFTER_MS) {
            endAll({ type: 'lost', message: `agent ${agent.name} missed ${MISSED_HEARTBEATS} heartbeats` });
          }
        }, LOSS_CHECK_MS);
        bus.publish(subject.plan(agent.id), {
          v: PROTOCOL_VERSION,
          type: 'plan',
          runId: tasks[0]!.runId,
          planId,
          sentAt: Date.now(),
          tasks: tasks.map((t) => remoteTask(t, agent)),
        });
        return {
          send: (message) => down({ type: 'control', message }),
          close: () => {
            clearInterval(beat);
            clearInterval(watch);
            upSub.unsubscribe();
          },
        };
      },
    };
  }

  async close(): Promise<void> {
    this.agentsSub.unsubscribe();
    await this.bus.close();
  }
}

/** The task as it crosses NATS: no local directory, and a provider the agent holds goes by name. */
function remoteTask(task: WorkerTask, agent: AgentInfo): RemoteTask {
  const { baseDir: _local, provider, ...rest } = task;
  return { ...rest, provider: agent.providers.includes(provider.name) ? { ref: provider.name } : provider };
}

function agentNameOf(data: Uint8Array): string | undefined {
  try {
    const name = (JSON.parse(new TextDecoder().decode(data)) as { agent?: { name?: unknown } }).agent?.name;
    return typeof name === 'string' ? name.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
