import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { ProviderReport, Report } from '../src/report/types.js';
import { renderHtml } from '../src/views/html/page.js';
import { benchRepeats, median, printFigure, section } from './lib.js';

const REPEATS = benchRepeats(3);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const latency = (base: number) => ({
  count: 1000,
  min: base / 2,
  mean: base,
  max: base * 10,
  stddev: base / 3,
  p50: base,
  p90: base * 1.5,
  p95: base * 2,
  p99: base * 3,
  p999: base * 5,
});

/** A run of `providers` × `operations` × `windows` one-second windows, with figures that vary (a sine and noise), open model. */
export function syntheticReport(providers: number, operations: number, windows: number): Report {
  const ops = Array.from({ length: operations }, (_, i) => `op${i + 1}`);
  const provider = (p: number): ProviderReport => {
    const at = (w: number, o: number): number =>
      Math.round(1000 * (1 + p / 4 + o / 10) * (1.5 + Math.sin(w / 60 + o)) + ((w * 7919 + o) % 97));
    return {
      name: `provider-${p + 1}`,
      provider: 'postgresql',
      connection: {},
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T01:00:00.000Z',
      durationSec: windows,
      total: { operation: 'total', count: 1, ok: 1, failed: 0, errors: {}, opsPerSec: 100, latencyUs: latency(1000) },
      operations: ops.map((operation) => ({
        operation,
        count: 1,
        ok: 1,
        failed: 0,
        errors: {},
        opsPerSec: 5,
        latencyUs: latency(1000),
        correctedLatencyUs: latency(1200),
      })),
      windows: Array.from({ length: windows }, (_, w) => ({
        window: w,
        startMs: w * 1000,
        phase: 'main',
        activeVUs: 50,
        ok: 1000 + (w % 50),
        failed: w % 97 === 0 ? 3 : 0,
        opsPerSec: 1000 + (w % 50),
        latencyUs: { p50: at(w, 0), p95: at(w, 0) * 2, p99: at(w, 0) * 3, max: at(w, 0) * 5 },
        operations: ops.map((operation, o) => ({
          operation,
          ok: 50,
          failed: 0,
          latencyUs: { mean: at(w, o), p95: at(w, o) * 2, p99: at(w, o) * 3 },
        })),
        correctedLatencyUs: { p50: at(w, 0) * 1.1, p95: at(w, 0) * 2.2, p99: at(w, 0) * 3.3, max: at(w, 0) * 6 },
        complete: true,
        saturated: w % 600 === 599,
      })),
      saturatedWindows: [],
      sources: [],
      sites: [{ site: 'local', workers: 2, peakVUs: 50, ok: 1, failed: 0, opsPerSec: 1, latencyUs: latency(1000) }],
    };
  };
  return {
    schemaVersion: 2,
    tool: { name: 'stampede', version: 'bench' },
    runId: 'bench',
    name: `${providers}x${operations}x${windows}`,
    status: 'complete',
    partial: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T01:00:00.000Z',
    scenario: { definition: {} },
    plan: { workers: 2, windowMs: 1000, profile: { type: 'constant-arrival-rate' }, keepData: false },
    model: { kind: 'open', note: 'synthetic' },
    environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: 2, hostname: 'bench' },
    providers: Array.from({ length: providers }, (_, p) => provider(p)),
  };
}

interface Measured {
  renderMs: number;
  bytes: number;
  /** Chromium's first paint, and the moment every chart was drawn, from navigation start. */
  firstPaintMs: number;
  chartsMs: number;
}

async function measure(report: Report, dir: string): Promise<Measured> {
  const t0 = performance.now();
  const html = renderHtml(report);
  const renderMs = performance.now() - t0;
  const file = join(dir, `${report.name}.html`);
  writeFileSync(file, html);
  const profile = mkdtempSync(join(tmpdir(), 'stampede-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const paints: number[] = [];
    const charts: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction('window.__stampede && window.__stampede.drawn() >= window.__stampede.charts.length');
      paints.push(await page.evaluate<number>(`performance.getEntriesByName('first-paint')[0]?.startTime ?? NaN`));
      charts.push(await page.evaluate<number>('window.__stampede.readyMs'));
    }
    return { renderMs, bytes: Buffer.byteLength(html), firstPaintMs: median(paints), chartsMs: median(charts) };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * The HTML report's size and time to first paint in headless chromium, for a small run (1 provider
 * × 1 operation × 60 windows: the baseline) and a large one (10 × 20 × 3,600).
 */
export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-bench-html-'));
  try {
    const small = await measure(syntheticReport(1, 1, 60), dir);
    const large = await measure(syntheticReport(10, 20, 3600), dir);
    section(`HTML report: 10 providers × 20 operations × 3,600 windows vs 1 × 1 × 60 (median of ${REPEATS} loads)`);
    printFigure({
      name: 'file size',
      value: large.bytes / 1e6,
      unit: 'MB',
      baseline: { name: '1×1×60', value: small.bytes / 1e6 },
      goal: '< 2 MB',
    });
    printFigure({
      name: 'first paint',
      value: large.firstPaintMs,
      unit: 'ms',
      baseline: { name: '1×1×60', value: small.firstPaintMs },
      goal: '< 1000 ms',
    });
    printFigure({ name: 'every chart drawn', value: large.chartsMs, unit: 'ms', baseline: { name: '1×1×60', value: small.chartsMs } });
    printFigure({
      name: 'rendering the page in Node',
      value: large.renderMs,
      unit: 'ms',
      baseline: { name: '1×1×60', value: small.renderMs },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
