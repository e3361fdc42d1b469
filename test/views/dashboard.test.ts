import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchPage } from '../helpers/browser.js';
import { pacedScenario, startCli, tempDir } from '../helpers/cli.js';

/** Counts the server-sent events of each name until the stream ends. */
function listen(url: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    get(url, (res: IncomingMessage) => {
      const counts = new Map<string, number>();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const name = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1] ?? 'message';
          counts.set(name, (counts.get(name) ?? 0) + 1);
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => resolve(counts));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('run --dashboard: an event each window to every client, the final report to the page, and a stalled client does not hold the run', async () => {
  const dir = tempDir();
  // The browser first: on a busy machine it may take longer to start than the run lasts.
  let address = '';
  const browser = await launchPage((target) => address !== '' && target.startsWith(address));
  const { child, result } = startCli([
    'run',
    pacedScenario(2, 5),
    '--dashboard',
    '0',
    '--out',
    join(dir, 'run.json'),
    '--workers',
    '1',
    '--no-live',
  ]);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.on('close', () => reject(new Error(`no dashboard address: ${seen}`)));
  });
  const events = listen(`${url}events`);
  // A browser that never reads: its events pile up in its socket, never in the run's way.
  // Its socket is paused too, so it never even sees the server close: the run must not wait for it.
  const stalled = get(`${url}events`, (res) => res.pause());
  address = url;
  try {
    await browser.page.goto(url);
    await browser.page.waitForSelector('#summary', { timeout: 120_000 });
    const run = await result;
    assert.equal(run.code, 0, run.stderr);
    const counts = await events;
    assert.ok((counts.get('window') ?? 0) >= 5, `at least one event per planned window (5 × 1 s): ${JSON.stringify([...counts])}`);
    assert.equal(counts.get('report'), 1, 'the final report, once');
    assert.equal(await browser.page.evaluate(`window.__stampede.charts.length`), 5, 'the page became the full report, charts drawn');
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(browser.external, []);
  } finally {
    stalled.destroy();
    await browser.close();
  }
});
