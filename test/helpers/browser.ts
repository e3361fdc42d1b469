import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, with nothing of its own that would reach the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every request to anything but a file: or data: URL (each is refused). */
  external: string[];
  close(): Promise<void>;
}

/**
 * Headless chromium with a fresh profile, its page ready to open a URL. Every request is routed:
 * any not to a file: or data: URL is refused and recorded (`allow` lets a test's own server through).
 */
export async function launchPage(allow: (url: string) => boolean = () => false): Promise<OpenedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'stampede-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const errors: string[] = [];
  const external: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (/^(file|data):/.test(target) || allow(target)) return route.continue();
    external.push(target);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    page,
    errors,
    external,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** launchPage, then open `url`. */
export async function openPage(url: string): Promise<OpenedPage> {
  const opened = await launchPage();
  await opened.page.goto(url);
  return opened;
}

/** How many pixels of each chart's canvas were drawn on (not transparent). Page code is text: the tests' types have no DOM. */
export function drawnPixels(page: Page): Promise<number[]> {
  return page.evaluate(`[...document.querySelectorAll('.uplot canvas')].map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
    return drawn;
  })`);
}
