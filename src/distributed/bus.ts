import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, headers, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { z } from 'zod';
import { redact, registerSecret } from '../config/redact.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { decode, encode, sign, SIGNATURE_HEADER } from './protocol.js';

/** How to reach NATS: passed through to the client as is; every credential is registered as a secret. */
export interface NatsFlags {
  nats: string;
  natsUser?: string;
  natsPass?: string;
  natsToken?: string;
  natsCreds?: string;
  natsTlsCa?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
  prefix: string;
  /** Shared secret: messages are signed with it and unsigned ones refused. */
  secret?: string;
}

/** Credentials may come from the environment rather than the command line, where `ps` shows them. */
export function natsFlagsFromEnv<T extends Partial<NatsFlags>>(flags: T, env: NodeJS.ProcessEnv = process.env): T {
  return {
    ...flags,
    natsPass: flags.natsPass ?? env.STAMPEDE_NATS_PASSWORD,
    natsToken: flags.natsToken ?? env.STAMPEDE_NATS_TOKEN,
    secret: flags.secret ?? env.STAMPEDE_SECRET,
  };
}

export function connectionOptions(flags: NatsFlags, name: string): NodeConnectionOptions {
  for (const s of [flags.natsPass, flags.natsToken, flags.secret]) registerSecret(s);
  const url = flags.nats;
  // A password written into the URL is a secret too.
  const inUrl = /^[a-z]+:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(url)?.[1];
  registerSecret(inUrl);
  const options: NodeConnectionOptions = {
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 2000,
    maxPingOut: 2,
  };
  if (flags.natsUser) options.user = flags.natsUser;
  if (flags.natsPass) options.pass = flags.natsPass;
  if (flags.natsToken) options.token = flags.natsToken;
  if (flags.natsCreds) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(flags.natsCreds);
    } catch (err) {
      throw new UserError(`--nats-creds ${flags.natsCreds}: cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    options.authenticator = credsAuthenticator(creds);
  }
  if (flags.natsTlsCa || flags.natsTlsCert || flags.natsTlsKey) {
    options.tls = {
      ...(flags.natsTlsCa ? { caFile: flags.natsTlsCa } : {}),
      ...(flags.natsTlsCert ? { certFile: flags.natsTlsCert } : {}),
      ...(flags.natsTlsKey ? { keyFile: flags.natsTlsKey } : {}),
    };
  }
  return options;
}

/**
 * One NATS connection with the protocol's rules applied both ways: every message out is signed
 * when a secret is shared, every message in is checked (signature, version, shape) before a
 * handler sees it. A rejected message is logged once per subject and reason, so a flood of
 * garbage cannot flood the log.
 */
export class Bus {
  private readonly logged = new Set<string>();

  private constructor(
    readonly nc: NatsConnection,
    private readonly secret: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** An unreachable server or refused credentials at the start are the user's to fix: exit 2. */
  static async connect(flags: NatsFlags, name: string, logger: Logger): Promise<Bus> {
    const options = connectionOptions(flags, name);
    try {
      const nc = await connect(options);
      return new Bus(nc, flags.secret, logger);
    } catch (err) {
      throw new UserError(`cannot connect to NATS at ${redact(flags.nats)}: ${redact(errorMessage(err))}`);
    }
  }

  /** While NATS reconnects the client buffers what is published; once closed, nothing is sent. */
  publish(subject: string, message: object): void {
    if (this.nc.isClosed()) return;
    const payload = encode(message);
    if (!this.secret) return this.nc.publish(subject, payload);
    const h = headers();
    h.set(SIGNATURE_HEADER, sign(payload, this.secret));
    this.nc.publish(subject, payload, { headers: h });
  }

  /** Subscribes; a message that fails the checks goes to `onReject` (after being logged) instead. */
  subscribe<T>(
    subject: string,
    schema: z.ZodType<T>,
    handler: (message: T, subject: string) => void,
    onReject?: (reason: string, version: number | undefined, data: Uint8Array) => void,
  ): { unsubscribe(): void } {
    return this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const decoded = decode(schema, msg.data, msg.headers?.get(SIGNATURE_HEADER) || undefined, this.secret);
        if (decoded.ok) return handler(decoded.message, msg.subject);
        this.reject(msg.subject, decoded.reason);
        onReject?.(decoded.reason, decoded.version, msg.data);
      },
    });
  }

  private reject(subject: string, reason: string): void {
    const key = `${subject} ${reason}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.logger.warn({ subject, reason }, 'rejected a message');
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => {});
  }
}
