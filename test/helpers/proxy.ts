import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Bytes towards the target (`up`) and back (`down`) are each held this long before they go on. */
  setDelay(upMs: number, downMs: number): void;
  /** Breaks every connection and refuses new ones for `ms`: a peer cut off, then back. */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A userspace TCP proxy on a free port of `listenHost`, forwarding to `targetPort`: the stand-in for a
 * far host (the kernel here has no netem) and for a connection that breaks. Order is kept: a
 * chunk never overtakes the one before it, even when the delay changes.
 */
export async function startProxy(targetPort: number, targetHost = '127.0.0.1', listenHost = '127.0.0.1'): Promise<TcpProxy> {
  let delay = { up: 0, down: 0 };
  let refusing = false;
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket, direction: 'up' | 'down'): void => {
    let releaseAt = 0;
    from.on('data', (chunk) => {
      releaseAt = Math.max(releaseAt, Date.now() + delay[direction]);
      const wait = releaseAt - Date.now();
      if (wait <= 0) to.write(chunk);
      else setTimeout(() => !to.destroyed && to.write(chunk), wait);
    });
    from.on('close', () => setTimeout(() => to.destroy(), delay[direction]));
    from.on('error', () => {});
  };
  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const target = connect(targetPort, targetHost);
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, target, 'up');
    pipe(target, client, 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  return {
    port: (server.address() as { port: number }).port,
    setDelay(upMs, downMs) {
      delay = { up: upMs, down: downMs };
    },
    async cut(ms) {
      refusing = true;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, ms));
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A server that accepts connections and never says a word: a firewall's black hole, a wrong port. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
