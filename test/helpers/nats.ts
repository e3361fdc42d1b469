import { freePort, portOpen } from './ports.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, startCli, tempDir, writeScenario } from './cli.js';
import { PG_HOST, PG_PORT } from './pg.js';
import { requireTool } from './tools.js';

export interface ThrowawayNats {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
}

/** A throwaway nats-server on a free port of `host` (loopback by default), for tests that break or restrict it. */
export async function startNats(extraArgs: string[] = [], host = '127.0.0.1'): Promise<ThrowawayNats> {
  const natsServer = requireTool('nats-server');
  const port = await freePort();
  const dir = tempDir();
  let child: ChildProcess | undefined;
  const nats: ThrowawayNats = {
    url: `nats://${host}:${port}`,
    port,
    async start() {
      child = spawn(natsServer, ['-a', host, '-p', String(port), '-js', '-sd', dir, ...extraArgs], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !(await portOpen(port, host)); i++) await new Promise((r) => setTimeout(r, 50));
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
  };
  await nats.start();
  return nats;
}

export interface Captured {
  subject: string;
  text: string;
  headers: string;
}

/** Everything published under a prefix, as raw text: what an eavesdropper on the subjects sees. */
export async function capture(
  url: string,
  prefix: string,
  options: Partial<NodeConnectionOptions> = {},
): Promise<{ messages: Captured[]; nc: NatsConnection }> {
  const nc = await connect({ servers: url, ...options });
  const messages: Captured[] = [];
  nc.subscribe(`${prefix}.>`, {
    callback: (_err, msg) => {
      messages.push({
        subject: msg.subject,
        text: new TextDecoder().decode(msg.data),
        headers: msg.headers ? [...msg.headers].map(([k, v]) => `${k}: ${v.join(',')}`).join('\n') : '',
      });
    },
  });
  await nc.flush();
  return { messages, nc };
}

export interface Agent {
  child: ChildProcess;
  /** The process's instance id: its plans go to `<prefix>.agent.<id>.plan`. */
  id: string;
  result: Promise<CliResult>;
  /** Everything the agent logged so far. */
  log(): string;
}

/** `stampede agent …` as a process (inside `wrap`, e.g. a netns); resolves once it has announced itself. */
export async function startAgent(args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): Promise<Agent> {
  const { child, result } = startCli(['agent', ...args], env, wrap);
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (log.includes('agent ready')) {
        child.stderr!.off('data', onData);
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    void result.then((r) => reject(new Error(`agent exited ${r.code}: ${r.stderr}`)));
  });
  const id = /"id":"([^"]+)"[^\n]*"agent ready"/.exec(log)?.[1] ?? '';
  return { child, result, id, log: () => log };
}

/** Resolves when a line matching `pattern` appears on the stream. */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      if (pattern.test(text)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
  });
}

export function uniquePrefix(): string {
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Stops every agent still running (SIGTERM: a clean leave) and waits for them. */
export async function stopAgents(agents: Agent[]): Promise<void> {
  for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGTERM');
  await Promise.all(agents.map((a) => a.result));
}

/**
 * A paced `SELECT 1` scenario on the shared PostgreSQL, and an agent provider file for the same
 * provider reached at `host:port` (a proxy, a namespace's side of a link).
 */
export function pgCluster(seconds: number): { scenario: string; providers: (host: string, port: number) => string } {
  const dir = tempDir();
  const scenario = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: postgres://postgres@${PG_HOST}:${PG_PORT}/postgres
workload:
  - type: query
    sql: SELECT 1
profile: { type: constant-vus, vus: 4, duration: ${seconds}s, thinkTime: 10ms }
`);
  return {
    scenario,
    providers(host, port) {
      const file = join(dir, `providers-${host}-${port}.yaml`);
      writeFileSync(file, `providers:\n  - name: pg\n    provider: postgresql\n    dsn: postgres://postgres@${host}:${port}/postgres\n`);
      return file;
    },
  };
}
