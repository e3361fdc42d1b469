import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { operationSchema, providerConfigSchema } from '../config/schema.js';

/**
 * The coordinator ↔ agent protocol over NATS. Every message carries `v`; a receiver checks it
 * before anything else, so two versions refuse each other with a clear message instead of
 * misreading each other. Bump it on any change to the shapes below.
 */
export const PROTOCOL_VERSION = 1;

export const HEARTBEAT_MS = 1000;
/** An agent that misses this many heartbeats in a row is lost. */
export const MISSED_HEARTBEATS = 3;
/**
 * Silence after which an agent is lost: three heartbeat intervals, less a margin, so that an
 * agent that dies just after a heartbeat is declared lost within 3 s of its death (checked
 * every LOSS_CHECK_MS).
 */
export const LOST_AFTER_MS = MISSED_HEARTBEATS * HEARTBEAT_MS - 150;
export const LOSS_CHECK_MS = 50;
/** The coordinator beats faster than agents so that the dead-man switch fires well inside 3 s. */
export const COORDINATOR_HEARTBEAT_MS = 500;
/** Silence from the coordinator after which an agent stops its load on its own. */
export const DEAD_MAN_MS = 2000;
/** A plan older than this is a replay, not an order. */
export const PLAN_MAX_AGE_MS = 30_000;

/** HMAC of the payload, in a header, when a secret is shared. */
export const SIGNATURE_HEADER = 'Stampede-Signature';

/** Subjects, all under one prefix so that several clusters share a NATS server without crosstalk. */
export function subjects(prefix: string) {
  return {
    /** Agents announce themselves and heartbeat here. */
    agents: `${prefix}.agents`,
    /** Plans for one agent. */
    plan: (agent: string) => `${prefix}.agent.${agent}.plan`,
    /** Coordinator → one agent, for one plan (one provider of a run): heartbeats, start and stop. */
    down: (planId: string, agent: string) => `${prefix}.plan.${planId}.${agent}.down`,
    /** One agent → coordinator: what its workers send, or a refusal. */
    up: (planId: string, agent: string) => `${prefix}.plan.${planId}.${agent}.up`,
  };
}

/** Letters, digits, _ and -: safe as one subject token. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

const agentInfo = z.strictObject({
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
});
export type AgentInfo = z.infer<typeof agentInfo>;

const errorsByClass = z.record(z.string(), z.strictObject({ count: z.number().int().nonnegative(), sample: z.string() }));

const snapshot = z.strictObject({
  runId: z.string(),
  source: z.string(),
  provider: z.string(),
  phase: z.string(),
  window: z.number().int().nonnegative(),
  activeVUs: z.number().int().nonnegative(),
  operations: z.array(
    z.strictObject({
      operation: z.string(),
      histogram: z.string(),
      ok: z.number().int().nonnegative(),
      errors: errorsByClass,
      corrected: z.string().optional(),
      parts: z.record(z.string(), z.string()).optional(),
    }),
  ),
  arrivals: z
    .strictObject({
      intended: z.number().int().nonnegative(),
      started: z.number().int().nonnegative(),
      dropped: z.number().int().nonnegative(),
      lag: z.string(),
    })
    .optional(),
  health: z
    .strictObject({
      loopDelayP99Us: z.number().nonnegative(),
      cpu: z.number().nonnegative(),
      inline: z.boolean().optional(),
      threadWaitP99Us: z.number().nonnegative().optional(),
    })
    .optional(),
});

const workerResult = z.strictObject({
  source: z.string(),
  ok: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  windows: z.number().int().nonnegative(),
  privateDocuments: z.number().int().nonnegative().optional(),
});

const workerMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('snapshot'), snapshot }),
  z.strictObject({ type: z.literal('done'), result: workerResult }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);

const coordinatorMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), startAt: z.number() }),
  z.strictObject({ type: z.literal('stop') }),
]);

/** A provider the agent holds itself, named instead of sent, so its DSN stays on the agent. */
const providerRef = z.strictObject({ ref: z.string() });

/** A worker task as it crosses NATS: like WorkerTask, without the coordinator's directory. */
export const remoteTask = z.strictObject({
  runId: z.string(),
  source: z.string(),
  provider: z.union([providerRef, providerConfigSchema]),
  workload: z.array(operationSchema),
  operationNames: z.array(z.string()),
  profileType: z.string(),
  share: z.unknown(),
  openModel: z.boolean(),
  phases: z.array(
    z.strictObject({ name: z.string(), startMs: z.number(), endMs: z.number(), target: z.number().optional() }),
  ),
  peakVus: z.number().int().nonnegative(),
  windowMs: z.number().int().positive(),
  setupInWorker: z.boolean(),
});
export type RemoteTask = z.infer<typeof remoteTask>;

const v = z.literal(PROTOCOL_VERSION);

export const messageSchemas = {
  /** Agent → everyone, on start and every second. */
  agent: z.strictObject({ v, type: z.enum(['announce', 'heartbeat', 'bye']), agent: agentInfo }),
  /** One provider's share of a run for one agent; `planId` is new for every plan, so a replay is seen. */
  plan: z.strictObject({ v, type: z.literal('plan'), runId: z.string(), planId: tokenSchema, sentAt: z.number(), tasks: z.array(remoteTask).min(1) }),
  down: z.discriminatedUnion('type', [
    z.strictObject({ v, type: z.literal('heartbeat'), planId: z.string() }),
    z.strictObject({ v, type: z.literal('control'), planId: z.string(), message: coordinatorMessage }),
  ]),
  up: z.discriminatedUnion('type', [
    z.strictObject({ v, type: z.literal('worker'), planId: z.string(), source: z.string(), message: workerMessage }),
    z.strictObject({ v, type: z.literal('refused'), planId: z.string(), reason: z.string() }),
  ]),
};

export type AgentMessage = z.infer<typeof messageSchemas.agent>;
export type PlanMessage = z.infer<typeof messageSchemas.plan>;
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
export function decode<T>(schema: z.ZodType<T>, payload: Uint8Array, signature: string | undefined, secret: string | undefined): Decoded<T> {
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
