import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { connect, credsAuthenticator, headers, type Msg, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { z } from 'zod';
import { readUserFile } from '../util/files.js';
import { redact, registerSecret } from '../util/secrets.js';
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
  /** The name the server's certificate must hold, when it is not the host in the URL (say, a URL by IP). */
  natsTlsServername?: string;
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

/** How long one attempt to reach a server may take before it is given up (the client's default is 20 s). */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * `nats://user:pass@host` or `nats://token@host`: the client ignores credentials in a URL, so
 * they are taken out of it here and passed as options (flags win over them).
 */
function splitCredentials(url: string): { servers: string[]; user?: string; pass?: string; token?: string } {
  const found: { user?: string; pass?: string; token?: string } = {};
  const servers = url.split(',').map((server) => {
    const m = /^([a-z]+:\/\/)?([^@/\s]*)@(.*)$/i.exec(server.trim());
    if (!m) return server.trim();
    const [user, pass] = m[2]!.split(/:(.*)/s).map(decodeURIComponent) as [string, string | undefined];
    if (!found.user && !found.token) Object.assign(found, pass === undefined ? { token: user } : { user, pass });
    return `${m[1] ?? ''}${m[3]}`;
  });
  return { servers, ...found };
}

export function connectionOptions(flags: NatsFlags, name: string): NodeConnectionOptions {
  const { servers, ...inUrl } = splitCredentials(flags.nats);
  // A password or token written into the URL is a secret too.
  for (const s of [flags.natsPass, flags.natsToken, flags.secret, inUrl.pass, inUrl.token]) registerSecret(s);
  const options: NodeConnectionOptions = {
    servers,
    name,
    timeout: CONNECT_TIMEOUT_MS,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 2000,
    maxPingOut: 2,
  };
  const user = flags.natsUser ?? inUrl.user;
  const pass = flags.natsPass ?? (flags.natsUser ? undefined : inUrl.pass);
  const token = flags.natsToken ?? inUrl.token;
  if (user) options.user = user;
  if (pass) options.pass = pass;
  if (token && !user) options.token = token;
  if (flags.natsCreds) {
    options.authenticator = credsAuthenticator(readUserFile(flags.natsCreds, '--nats-creds', flags.natsCreds));
  }
  const servername = flags.natsTlsServername;
  if (flags.natsTlsCa || flags.natsTlsCert || flags.natsTlsKey || servername) {
    options.tls = {
      ...(flags.natsTlsCa ? { caFile: flags.natsTlsCa } : {}),
      ...(flags.natsTlsCert ? { certFile: flags.natsTlsCert } : {}),
      ...(flags.natsTlsKey ? { keyFile: flags.natsTlsKey } : {}),
      // An IP is no SNI name (RFC 6066): the certificate is checked against it directly instead.
      ...(servername && isIP(servername)
        ? { checkServerIdentity: (_host: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(servername, cert) }
        : servername
          ? { servername }
          : {}),
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
  private readonly reconnected = new Set<(downMs: number) => void>();

  private constructor(
    readonly nc: NatsConnection,
    private readonly secret: string | undefined,
    private readonly logger: Logger,
  ) {
    void this.watch();
  }

  /** An unreachable server or refused credentials at the start are the user's to fix: exit 2. */
  static async connect(flags: NatsFlags, name: string, logger: Logger): Promise<Bus> {
    const options = connectionOptions(flags, name);
    // A server that accepts but never answers times the client out, yet the client leaves that
    // socket open (it closes only sockets that got as far as connecting), which would keep this
    // process alive after the error: every socket opened meanwhile is closed on failure.
    const sockets: Socket[] = [];
    const opened = (message: unknown): void => void sockets.push((message as { socket: Socket }).socket);
    subscribeChannel('net.client.socket', opened);
    try {
      const nc = await connect(options);
      return new Bus(nc, flags.secret, logger);
    } catch (err) {
      for (const socket of sockets) socket.destroy();
      throw new UserError(`cannot connect to NATS at ${redact(flags.nats)}: ${redact(errorMessage(err))}`);
    } finally {
      unsubscribeChannel('net.client.socket', opened);
    }
  }

  /** Logs losing and regaining the server; tells `onReconnect` listeners how long it was gone. */
  private async watch(): Promise<void> {
    let downSince: number | undefined;
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        downSince ??= Date.now();
        this.logger.warn({ server: redact(status.server) }, 'NATS disconnected: reconnecting');
      } else if (status.type === 'reconnect') {
        const downMs = Date.now() - (downSince ?? Date.now());
        downSince = undefined;
        this.logger.warn({ server: redact(status.server), downMs }, 'NATS reconnected');
        for (const listener of this.reconnected) listener(downMs);
      }
    }
  }

  /** Called after every reconnect with how long the connection was down (ms); returns the unsubscriber. */
  onReconnect(listener: (downMs: number) => void): () => void {
    this.reconnected.add(listener);
    return () => this.reconnected.delete(listener);
  }

  private payload(message: object): { payload: Uint8Array; headers?: ReturnType<typeof headers> } {
    const payload = encode(message);
    if (!this.secret) return { payload };
    const h = headers();
    h.set(SIGNATURE_HEADER, sign(payload, this.secret));
    return { payload, headers: h };
  }

  /**
   * What is published while NATS is down is lost (the client empties its outbound buffer at
   * every reconnect attempt): whoever needs it delivered sends it again on `onReconnect`.
   */
  publish(subject: string, message: object): void {
    if (this.nc.isClosed()) return;
    const { payload, headers: h } = this.payload(message);
    this.nc.publish(subject, payload, h ? { headers: h } : undefined);
  }

  /** A request whose reply passes the same checks as any message; undefined on timeout or a bad reply. */
  async request<T>(subject: string, message: object, schema: z.ZodType<T>, timeoutMs: number): Promise<T | undefined> {
    if (this.nc.isClosed()) return undefined;
    const { payload, headers: h } = this.payload(message);
    let reply: Msg;
    try {
      reply = await this.nc.request(subject, payload, { timeout: timeoutMs, ...(h ? { headers: h } : {}) });
    } catch {
      return undefined;
    }
    const decoded = decode(schema, reply.data, reply.headers?.get(SIGNATURE_HEADER) || undefined, this.secret);
    if (decoded.ok) return decoded.message;
    this.reject(subject, decoded.reason);
    return undefined;
  }

  /**
   * Subscribes; a message that fails the checks goes to `onReject` (after being logged) instead.
   * `reply` is where a request wants its answer.
   */
  subscribe<T>(
    subject: string,
    schema: z.ZodType<T>,
    handler: (message: T, subject: string, reply: string | undefined) => void,
    onReject?: (reason: string, version: number | undefined, data: Uint8Array) => void,
  ): { unsubscribe(): void } {
    return this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const decoded = decode(schema, msg.data, msg.headers?.get(SIGNATURE_HEADER) || undefined, this.secret);
        if (decoded.ok) return handler(decoded.message, msg.subject, msg.reply || undefined);
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
