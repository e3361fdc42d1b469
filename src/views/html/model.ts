import type { ProviderReport, Report, WindowReport } from '../../report/types.js';

/**
 * At most this many points per series: a chart is a few hundred pixels wide, so more points add
 * bytes and drawing time, not detail. A run of 3,600 windows is folded 9 windows to a point.
 */
export const MAX_POINTS = 400;

/** One provider's series, one value per point (null where it ran no window). Latency in µs. */
export interface ProviderSeries {
  name: string;
  opsPerSec: (number | null)[];
  activeVUs: (number | null)[];
  errorsPerSec: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  /** Open model: the same percentiles from the intended start. */
  corrected?: { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] };
  /** Each operation's p95 per point. */
  operations: Record<string, (number | null)[]>;
  /** Points holding a saturated or a degraded window. */
  saturated: number[];
  degraded: number[];
}

export interface Marker {
  /** Seconds from the provider run's start. */
  atSec: number;
  label: string;
}

/** What the page's charts draw: series aligned on one time axis, phases and markers. */
export interface ChartModel {
  /** Seconds from each provider run's start to the end of each point's last window (as the live line labels a window). */
  x: number[];
  /** Windows folded into one point, and how long a window lasts. */
  windowsPerPoint: number;
  windowSec: number;
  open: boolean;
  operations: string[];
  providers: ProviderSeries[];
  phases: { name: string; fromSec: number; toSec: number }[];
  markers: Marker[];
}

/** The charts' data, folded to at most MAX_POINTS per series. */
export function chartModel(report: Report): ChartModel {
  const windowSec = report.plan.windowMs / 1000;
  const slots = Math.max(0, ...report.providers.map((p) => (p.windows.at(-1)?.window ?? -1) + 1));
  const k = Math.max(1, Math.ceil(slots / MAX_POINTS));
  const points = Math.ceil(slots / k);
  const operations = [...new Set(report.providers.flatMap((p) => p.operations.map((o) => o.operation)))];
  const open = report.model.kind === 'open';
  return {
    x: Array.from({ length: points }, (_, i) => round((i + 1) * k * windowSec, 3)),
    windowsPerPoint: k,
    windowSec,
    open,
    operations,
    providers: report.providers.map((p) => providerSeries(p, k, points, windowSec, operations, open)),
    phases: (report.providers.find((p) => p.phases?.length)?.phases ?? []).map((ph) => ({
      name: ph.phase,
      fromSec: ph.startMs / 1000,
      toSec: ph.endMs / 1000,
    })),
    markers: report.providers.flatMap(markers),
  };
}

function providerSeries(
  p: ProviderReport,
  k: number,
  points: number,
  windowSec: number,
  operations: readonly string[],
  open: boolean,
): ProviderSeries {
  const buckets: WindowReport[][] = Array.from({ length: points }, () => []);
  for (const w of p.windows) buckets[Math.floor(w.window / k)]?.push(w);
  // Throughput is averaged over a point's windows; latency keeps the worst window, so a spike stays visible.
  const each = (f: (ws: WindowReport[]) => number): (number | null)[] => buckets.map((ws) => (ws.length ? f(ws) : null));
  const worst = (f: (w: WindowReport) => number | undefined): (number | null)[] =>
    buckets.map((ws) => {
      const values = ws.flatMap((w) => f(w) ?? []);
      // Three significant digits (what the histogram holds), whole µs from 1 ms: finer digits add bytes, not information.
      return values.length ? chartUs(Math.max(...values)) : null;
    });
  const flagged = (f: (w: WindowReport) => boolean | undefined): number[] =>
    buckets.flatMap((ws, i) => (ws.some((w) => f(w) === true) ? [i] : []));
  const series: ProviderSeries = {
    name: p.name,
    opsPerSec: each((ws) => round(ws.reduce((s, w) => s + w.opsPerSec, 0) / ws.length, 1)),
    activeVUs: each((ws) => Math.max(...ws.map((w) => w.activeVUs))),
    errorsPerSec: each((ws) => round(ws.reduce((s, w) => s + w.failed, 0) / (ws.length * windowSec), 2)),
    p50: worst((w) => w.latencyUs.p50),
    p95: worst((w) => w.latencyUs.p95),
    p99: worst((w) => w.latencyUs.p99),
    operations: Object.fromEntries(
      operations.map((op) => [op, worst((w) => w.operations?.find((o) => o.operation === op)?.latencyUs.p95)]),
    ),
    saturated: flagged((w) => w.saturated),
    degraded: flagged((w) => w.degraded),
  };
  if (open)
    series.corrected = {
      p50: worst((w) => w.correctedLatencyUs?.p50),
      p95: worst((w) => w.correctedLatencyUs?.p95),
      p99: worst((w) => w.correctedLatencyUs?.p99),
    };
  return series;
}

/** Where a ramp found its capacity and knee (the end of the step), and where a spike's latency came back. */
function markers(p: ProviderReport): Marker[] {
  const out: Marker[] = [];
  const endOf = (phase: string): number | undefined => p.phases?.find((ph) => ph.phase === phase)?.endMs;
  const add = (ms: number | undefined, label: string): void => {
    if (ms !== undefined) out.push({ atSec: ms / 1000, label: `${p.name}: ${label}` });
  };
  if (p.ramp?.capacity) add(endOf(p.ramp.capacity.phase), `capacity ${p.ramp.capacity.users} users`);
  if (p.ramp?.knee) add(endOf(p.ramp.knee.phase), `knee ${p.ramp.knee.users} users`);
  const spikeEnd = endOf('spike');
  if (p.spike?.recovered && spikeEnd !== undefined)
    add(spikeEnd + p.spike.recoveryMs!, `recovered ${(p.spike.recoveryMs! / 1000).toFixed(1)} s`);
  return out;
}

function chartUs(us: number): number {
  return us >= 1000 ? Math.round(us) : Number(us.toPrecision(3));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
