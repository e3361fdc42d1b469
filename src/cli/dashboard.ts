import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import type { WindowFigures } from '../metrics/aggregate.js';
import type { Report } from '../report/types.js';
import { type LivePoint, livePoint } from '../views/html/live-point.js';
import { type LiveSkeleton, renderHtml, renderLiveHtml } from '../views/html/page.js';

/**
 * A browser holding more than this unsent is too slow: it is dropped rather than buffered for,
 * so the run never waits on it (it can reload and get the windows so far again).
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How long, after the run, a browser may take to receive the final report before it is cut off. */
const FLUSH_MS = 1000;

/**
 * `run --dashboard`: the HTML page on 127.0.0.1, filled window by window through server-sent
 * events, replaced by the full report when the run ends. Writes never block: a slow browser's
 * events queue in its socket, and past a bound the browser is dropped.
 */
export class Dashboard {
  private readonly clients = new Set<ServerResponse>();
  /** Every window so far, replayed to a browser that connects late. */
  private readonly points: LivePoint[] = [];
  private html: string;
  private final: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly skeleton: LiveSkeleton,
  ) {
    this.html = renderLiveHtml(skeleton);
  }

  static async start(port: number, skeleton: LiveSkeleton): Promise<Dashboard> {
    const server = createServer();
    const dashboard = new Dashboard(server, skeleton);
    server.on('request', (req, res) => dashboard.serve(req.url ?? '/', res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new UserError(`--dashboard: cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`)),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return dashboard;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  private serve(url: string, res: ServerResponse): void {
    if (url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      this.clients.add(res);
      res.on('close', () => this.clients.delete(res));
      for (const p of this.points) this.send(res, 'window', JSON.stringify(p));
      if (this.final !== undefined) this.send(res, 'report', this.final);
      return;
    }
    if (url !== '/' && url !== '/index.html') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(this.html);
  }

  /** One provider's window, as soon as it is merged. */
  window(provider: string, figures: WindowFigures): void {
    const point = livePoint(Math.max(0, this.skeleton.providers.indexOf(provider)), figures, this.skeleton.windowMs);
    this.points.push(point);
    this.broadcast('window', JSON.stringify(point));
  }

  /** The run's report: what the page (and any later visit) shows from now on. */
  finish(report: Report): void {
    this.html = renderHtml(report);
    this.final = JSON.stringify(this.html);
    this.broadcast('report', this.final);
  }

  /** Ends every stream, giving browsers FLUSH_MS to take what they were sent. */
  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const timer = setTimeout(() => this.server.closeAllConnections(), FLUSH_MS);
    await closed;
    clearTimeout(timer);
  }

  private broadcast(event: string, data: string): void {
    for (const res of this.clients) this.send(res, event, data);
  }

  private send(res: ServerResponse, event: string, data: string): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      this.clients.delete(res);
      return;
    }
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  }
}
