import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { type Measured, ownCpuUs, type ServerCpu, serverCpuBetween } from '../cpu.js';
import type { RawLoopData, RawLoopMessage } from './loop.js';

const LOOP = new URL('./loop.js', import.meta.url);

/**
 * `threads` raw loops in worker threads at once, started together once all are connected. The
 * client's CPU is this whole process's (the main thread only waits) from the start to the last
 * 'done'; the server's is read by the DSN's application name over the same span.
 */
export async function runRaw(data: RawLoopData, threads = 1, server?: { cpu: ServerCpu; application: string }): Promise<Measured> {
  const workers = Array.from({ length: threads }, () => new Worker(LOOP, { workerData: data }));
  const failed = Promise.race(workers.map((w) => once(w, 'error').then(([err]) => Promise.reject(err as Error))));
  const next = (w: Worker): Promise<RawLoopMessage> => Promise.race([failed, once(w, 'message').then(([m]) => m as RawLoopMessage)]);
  try {
    await Promise.all(workers.map(next));
    const serverStart = await server?.cpu.sample(server.application);
    const cpu0 = ownCpuUs();
    for (const w of workers) w.postMessage('go');
    const done = (await Promise.all(workers.map(next))) as Array<Extract<RawLoopMessage, { type: 'done' }>>;
    const clientUs = ownCpuUs() - cpu0;
    const serverEnd = await server?.cpu.sample(server.application);
    const ops = done.reduce((n, d) => n + d.ops, 0);
    const measured: Measured = {
      rate: done.reduce((r, d) => r + d.ops / d.seconds, 0),
      clientUsPerOp: clientUs / ops,
    };
    if (serverStart && serverEnd) measured.serverUsPerOp = serverCpuBetween(serverStart, serverEnd) / ops;
    for (const w of workers) w.postMessage('close');
    await Promise.all(workers.map((w) => once(w, 'exit')));
    return measured;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
