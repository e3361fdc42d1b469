import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * CPU accounting for the PostgreSQL rows: the client's CPU (this process, or pgbench's) and the
 * server's (the backends serving the run's connections, found by their application_name), both
 * read from /proc so the two sides are counted alike. schedstat gives nanoseconds where
 * /proc/<pid>/stat gives 10 ms ticks.
 */

/** CPU time of a process so far, every live thread summed, in µs (0 once it has exited). */
export function processCpuUs(pid: number): number {
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += threadCpuNs(`/proc/${pid}/task/${task}/schedstat`);
  } catch {
    return 0;
  }
  return ns / 1000;
}

function threadCpuNs(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]);
  } catch {
    return 0; // the thread ended between the listing and the read
  }
}

/** This process's CPU so far (every thread, ended ones included), in µs. */
export function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU of each backend serving connections named `application`, by pid, in µs. */
export type ServerSample = Map<number, number>;

/** Reads the server side's CPU over an admin connection of its own (not counted: another name). */
export class ServerCpu {
  private constructor(private readonly client: pg.Client) {}

  static async open(dsn: string): Promise<ServerCpu> {
    const client = new pg.Client({ connectionString: dsn, application_name: 'stampede_bench_cpu' });
    await client.connect();
    return new ServerCpu(client);
  }

  async sample(application: string): Promise<ServerSample> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      application,
    ]);
    return new Map(rows.map(({ pid }) => [pid, processCpuUs(pid)]));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** CPU the backends used between two samples; one that connected in between counts from zero. */
export function serverCpuBetween(start: ServerSample, end: ServerSample): number {
  let us = 0;
  for (const [pid, cpu] of end) us += cpu - (start.get(pid) ?? 0);
  return us;
}

/** What a measured run did: its rate and, for PostgreSQL, CPU per operation on each side (µs). */
export interface Measured {
  rate: number;
  clientUsPerOp?: number;
  serverUsPerOp?: number;
}
