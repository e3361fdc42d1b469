import { carriesSecret } from '../util/secrets.js';
import type { ProviderConfig } from '../providers/config.js';
import type { TaskSite } from '../engine/channel.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { Bus, type NatsFlags } from './bus.js';
import { ClockEstimate } from './clock.js';
import {
  ABSENT_AFTER_MS,
  type AgentInfo,
  DEFAULT_AGENT_LOSS_AFTER_MS,
  HEARTBEAT_MS,
  messageSchemas,
  PROTOCOL_VERSION,
  subjects,
} from './protocol.js';
import { remoteSite } from './remote-site.js';

interface Known {
  info: AgentInfo;
  lastSeen: number;
}

/** Which agents a run wants: any N idle ones, or these by name. */
export type AgentWanted = number | string[];

export interface ClusterOptions {
  /** Silence after which a running agent is lost (ms); default DEFAULT_AGENT_LOSS_AFTER_MS. */
  lossAfterMs?: number;
}

/** Clock probes sent to each chosen agent before its first plan; the fastest round trip wins. */
const FIRST_PROBES = 5;
const PROBE_TIMEOUT_MS = 1000;

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
  /** Names announced by more than one live process, and since when. */
  private readonly twinsSince = new Map<string, number>();
  private readonly clocks = new Map<string, ClockEstimate>();
  private readonly probing: NodeJS.Timeout;
  private readonly subject;
  private readonly agentsSub;
  private readonly lossAfterMs: number;

  private constructor(
    private readonly bus: Bus,
    prefix: string,
    private readonly signed: boolean,
    private readonly logger: Logger,
    options: ClusterOptions,
  ) {
    this.lossAfterMs = options.lossAfterMs ?? DEFAULT_AGENT_LOSS_AFTER_MS;
    this.subject = subjects(prefix);
    this.agentsSub = bus.subscribe(
      this.subject.agents,
      messageSchemas.agent,
      (m) => {
        const seen = this.known.get(m.agent.id);
        // A replayed announcement (older than one already heard) says nothing about now.
        if (seen && m.agent.seq <= seen.info.seq) return;
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
    // Chosen agents' clocks are measured all along: the start lead follows the round trips.
    this.probing = setInterval(() => {
      for (const [id, clock] of this.clocks) void this.probe(id, clock);
    }, HEARTBEAT_MS);
  }

  static async connect(flags: NatsFlags, logger: Logger, options: ClusterOptions = {}): Promise<Cluster> {
    return new Cluster(await Bus.connect(flags, 'stampede-coordinator', logger), flags.prefix, Boolean(flags.secret), logger, options);
  }

  /** Waits until the wanted agents are idle and heard from; a timeout names who is missing. */
  async waitFor(wanted: AgentWanted, timeoutMs: number): Promise<TaskSite[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chosen = this.choose(wanted);
      if (chosen && !this.twins(chosen, Date.now() >= deadline)) {
        this.logger.info({ agents: chosen.map((a) => a.name) }, 'agents ready');
        await Promise.all(chosen.map((a) => this.measure(a)));
        return chosen.map((a) => this.site(a));
      }
      if (Date.now() >= deadline) throw new UserError(this.missing(wanted, timeoutMs));
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Two live processes announcing one name would both take plans meant for one site, and be
   * reported as one. A twin is waited out for as long as a killed predecessor takes to fall
   * silent; one still there after that is refused.
   */
  private twins(chosen: AgentInfo[], final: boolean): boolean {
    const now = Date.now();
    const live = [...this.known.values()].filter((k) => now - k.lastSeen <= ABSENT_AFTER_MS).map((k) => k.info);
    let waiting = false;
    for (const agent of chosen) {
      const same = live.filter((a) => a.name === agent.name);
      if (same.length < 2) {
        this.twinsSince.delete(agent.name);
        continue;
      }
      const since = this.twinsSince.get(agent.name) ?? now;
      this.twinsSince.set(agent.name, since);
      if (final || now - since >= ABSENT_AFTER_MS) {
        const where = same.map((a) => `${a.id} on ${a.host}`).join(', ');
        throw new UserError(`${same.length} agents call themselves "${agent.name}" (processes ${where}): give each its own --name`);
      }
      waiting = true;
    }
    return waiting;
  }

  private alive(): AgentInfo[] {
    const now = Date.now();
    return [...this.known.values()]
      .filter((k) => now - k.lastSeen <= ABSENT_AFTER_MS && !k.info.busy)
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
      ...(this.refusedReasons.size
        ? [`announcements refused: ${[...this.refusedReasons].join(', ')} (is --secret the same on both sides?)`]
        : []),
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

  /** First estimate of an agent's clock, before any plan is stamped with it. */
  private async measure(agent: AgentInfo): Promise<void> {
    const clock = new ClockEstimate();
    this.clocks.set(agent.id, clock);
    // One unanswered probe ends the burst: the probes that go on during the run may still get answers.
    for (let i = 0; i < FIRST_PROBES; i++) if (!(await this.probe(agent.id, clock))) break;
    if (clock.offsetMs === undefined)
      this.logger.warn({ agent: agent.name }, 'the agent answers no clock probe: its clock is taken as ours');
    else this.logger.info({ agent: agent.name, offsetMs: clock.offsetMs, rttMs: clock.rttMs }, 'agent clock measured');
  }

  /** One NTP-style exchange: t1 and t4 on our clock, t2 and t3 on the agent's. */
  private async probe(id: string, clock: ClockEstimate): Promise<boolean> {
    const t1 = Date.now();
    const pong = await this.bus.request(
      this.subject.clock(id),
      { v: PROTOCOL_VERSION, type: 'clock', t1 },
      messageSchemas.clockPong,
      PROBE_TIMEOUT_MS,
    );
    const t4 = Date.now();
    if (!pong || pong.t1 !== t1) return false;
    clock.add(t1, pong.t2, pong.t3, t4);
    const known = this.known.get(id);
    if (known) known.lastSeen = t4;
    return true;
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
    return remoteSite(agent, this.clocks.get(agent.id)!, {
      bus: this.bus,
      subject: this.subject,
      lossAfterMs: this.lossAfterMs,
      signed: this.signed,
      lastSeen: () => this.known.get(agent.id)?.lastSeen ?? 0,
      busyWith: () => this.known.get(agent.id)?.info.busy,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.probing);
    this.agentsSub.unsubscribe();
    await this.bus.close();
  }
}

function agentNameOf(data: Uint8Array): string | undefined {
  try {
    const name = (JSON.parse(new TextDecoder().decode(data)) as { agent?: { name?: unknown } }).agent?.name;
    return typeof name === 'string' ? name.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
