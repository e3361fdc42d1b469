import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { coordinatorMessageSchema, workerMessageSchema, workerTaskSchema } from '../engine/messages.js';
import { providerConfigSchema } from '../providers/config.js';

/**
 * The coordinator ↔ agent protocol over NATS. Every message carries `v`; a receiver checks it
 * before anything else, so two versions refuse each other with a clear message instead of
 * misreading each other. Bump it on any change to the shapes below.
 */
export const PROTOCOL_VERSION = 2;

/** Agents announce themselves this often; the coordinator probes each chosen agent's clock as often. */
export const HEARTBEAT_MS = 1000;
/** An agent not heard for this many heartbeats is not offered a plan. */
export const MISSED_HEARTBEATS = 3;
/** Silence after which an idle agent no longer counts as present. */
export const ABSENT_AFTER_MS = MISSED_HEARTBEATS * HEARTBEAT_MS - 150;
export const LOSS_CHECK_MS = 50;
/** The coordinator beats faster than agents, so the dead-man switch does not fire on one lost beat. */
export const COORDINATOR_HEARTBEAT_MS = 500;
/**
 * Silence from the coordinator after which an agent stops its load on its own. It must outlast a
 * short network blip: TCP retransmits back off (0.2, 0.4, 0.8, 1.6 s…), so a 1.8 s cut can mean
 * 3 s of silence, and NATS declares a connection stale only after two missed pings (4–6 s).
 */
export const DEFAULT_DEAD_MAN_MS = 5000;
/**
 * Silence after which the coordinator declares a running agent lost. Longer than the dead-man
 * switch by more than one agent heartbeat, so that an agent declared lost has already stopped.
 */
export const DEFAULT_AGENT_LOSS_AFTER_MS = 7000;
/** The coordinator sends plans, starts and heartbeats stamped on the agent's clock; older ones are stale. */
export const FRESH_MS = 10_000;
/** What an agent keeps of what it sent for a plan, to send again after NATS comes back. */
export const RESEND_KEEP_MS = 30_000;
/** The common start is this many of an agent's slowest recent round trips ahead of the start message (or more). */
export const START_LEAD_RTTS = 3;

/** HMAC of the payload, in a header, when a secret is shared. */
export const SIGNATURE_HEADER = 'Stampede-Signature';

export type Subjects = ReturnType<typeof subjects>;

/** Subjects, all under one prefix so that several clusters share a NATS server without crosstalk. */
export function subjects(prefix: string) {
  return {
    /** Agents announce themselves and heartbeat here. */
    agents: `${prefix}.agents`,
    /** Plans for one agent process (its instance id). */
    plan: (agent: string) => `${prefix}.agent.${agent}.plan`,
    /** Clock probes for one agent process: request and reply. */
    clock: (agent: string) => `${prefix}.agent.${agent}.clock`,
    /** Coordinator → one agent, for one plan (one provider of a run): heartbeats, start and stop. */
    down: (planId: string, agent: string) => `${prefix}.plan.${planId}.${agent}.down`,
    /** One agent → coordinator: what its workers send, or a refusal. */
    up: (planId: string, agent: string) => `${prefix}.plan.${planId}.${agent}.up`,
  };
}

/** Letters, digits, _ and -: safe as one subject token. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

const agentInfo = z.strictObject({
  /** Random per process start: two processes never share it, a restarted agent gets a new one. */
  id: tokenSchema,
  name: tokenSchema,
  host: z.string(),
  cores: z.number().int().positive(),
  workers: z.number().int().positive(),
  version: z.string(),
  kinds: z.array(z.string()),
  /** Names of the providers the agent holds in its own file: their DSNs never cross NATS. */
  providers: z.array(z.string()),
  /** The plan it is busy with, if any. */
  busy: z.string().optional(),
  /** Counts up with every announcement: an older one replayed is ignored. */
  seq: z.number().int().nonnegative(),
});
export type AgentInfo = z.infer<typeof agentInfo>;

/** A provider the agent holds itself, named instead of sent, so its DSN stays on the agent. */
const providerRef = z.strictObject({ ref: z.string() });

/** A worker task as it crosses NATS: without the coordinator's directory, and maybe a provider by name. */
export const remoteTask = workerTaskSchema.omit({ baseDir: true }).extend({ provider: z.union([providerRef, providerConfigSchema]) });
export type RemoteTask = z.infer<typeof remoteTask>;

const v = z.literal(PROTOCOL_VERSION);

export const messageSchemas = {
  /** Agent → everyone, on start and every second. */
  agent: z.strictObject({ v, type: z.enum(['announce', 'heartbeat', 'bye']), agent: agentInfo }),
  /**
   * One provider's share of a run for one agent process. `planId` is new for every plan and
   * `agent` names the process's instance id, so neither a replay to the same process nor one to a
   * restarted agent runs; `sentAt` is on the agent's clock (the coordinator corrects for the
   * measured offset), so an old plan is stale.
   */
  plan: z.strictObject({
    v,
    type: z.literal('plan'),
    runId: z.string(),
    planId: tokenSchema,
    agent: tokenSchema,
    sentAt: z.number(),
    /** The coordinator declares the agent lost after this much silence: its dead-man switch must fire first. */
    lossAfterMs: z.number().int().positive(),
    tasks: z.array(remoteTask).min(1),
  }),
  /** Coordinator → agent for one plan: `seq` counts up and `sentAt` is on the agent's clock, so a replay is refused. */
  down: z.discriminatedUnion('type', [
    z.strictObject({ v, type: z.literal('heartbeat'), planId: z.string(), seq: z.number().int(), sentAt: z.number() }),
    z.strictObject({
      v,
      type: z.literal('control'),
      planId: z.string(),
      seq: z.number().int(),
      sentAt: z.number(),
      message: coordinatorMessageSchema,
    }),
    /** The coordinator was cut off from NATS: what the agent sent in the last `lastMs` may be lost. */
    z.strictObject({
      v,
      type: z.literal('resend'),
      planId: z.string(),
      seq: z.number().int(),
      sentAt: z.number(),
      lastMs: z.number().int().positive(),
    }),
  ]),
  up: z.discriminatedUnion('type', [
    z.strictObject({ v, type: z.literal('worker'), planId: z.string(), source: z.string(), message: workerMessageSchema }),
    /** `signature`: refused for its signature, which a coordinator that signs its plans knows is not about them. */
    z.strictObject({ v, type: z.literal('refused'), planId: z.string(), reason: z.string(), signature: z.boolean().optional() }),
    /** The agent's dead-man switch stopped its load: to the coordinator, a loss. */
    z.strictObject({ v, type: z.literal('stopped'), planId: z.string(), reason: z.string() }),
  ]),
  /** NTP's four timestamps: t1 and t4 on the coordinator's clock, t2 and t3 on the agent's. */
  clockPing: z.strictObject({ v, type: z.literal('clock'), t1: z.number() }),
  clockPong: z.strictObject({ v, type: z.literal('clock'), t1: z.number(), t2: z.number(), t3: z.number() }),
};

export type PlanMessage = z.infer<typeof messageSchemas.plan>;
export type DownMessage = z.infer<typeof messageSchemas.down>;
export type UpMessage = z.infer<typeof messageSchemas.up>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function sign(payload: Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

export function encode(message: object): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: string; version?: number };

/**
 * Checks, in order: the signature (when a secret is shared), that the payload is JSON, the
 * protocol version, then the shape. A message from another protocol version is named as such,
 * so both sides can say what is wrong instead of "invalid message".
 */
export function decode<T>(
  schema: z.ZodType<T>,
  payload: Uint8Array,
  signature: string | undefined,
  secret: string | undefined,
): Decoded<T> {
  if (secret) {
    if (!signature) return { ok: false, reason: 'unsigned message (this side requires a shared secret)' };
    const expected = Buffer.from(sign(payload, secret), 'hex');
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const version = (value as { v?: unknown } | null)?.v;
  if (typeof version !== 'number') return { ok: false, reason: 'no protocol version' };
  if (version !== PROTOCOL_VERSION) {
    return { ok: false, version, reason: `protocol version ${version}, this side speaks ${PROTOCOL_VERSION}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `invalid ${issue.path.join('.') || 'message'}: ${issue.message}` };
  }
  return { ok: true, message: parsed.data };
}
