import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { drawnPixels, openPage } from '../helpers/browser.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';

/** Two providers, two operations, an open-model ramp in named stages: every chart and twin has something to draw. */
const SCENARIO = `name: html
providers:
  - name: alpha
    provider: sqlite_memory
  - name: beta
    provider: sqlite_memory
workload:
  - name: one
    type: query
    sql: SELECT 1
  - name: two
    type: query
    sql: SELECT 2
profile:
  type: ramping-arrival-rate
  startRate: 20
  preAllocatedVUs: 2
  maxVUs: 4
  stages:
    - { duration: 1s, target: 40 }
    - { duration: 2s, target: 40 }
`;

test('the HTML report opens offline in chromium: no error, no request, every chart drawn, legend toggles, same page from the saved report', async (t) => {
  const dir = tempDir();
  const json = join(dir, 'run.json');
  const html = join(dir, 'run.html');
  const run = await runCli(['run', writeScenario(SCENARIO), '--out', json, '--html', html, '--workers', '1', '--no-live']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`html: ${html}`));
  // 3 windows a provider cannot give p < 0.01: the console says so and names the run that could.
  assert.match(run.stdout, /note: one: \d windows a provider can give p ≥ 0\.\d+ at best, never p < 0\.01: .* Run --duration ≥ 6s/);

  const again = join(dir, 'again.html');
  const rendered = await runCli(['report', json, '--html', again]);
  assert.equal(rendered.code, 0, rendered.stderr);
  assert.equal(readFileSync(again, 'utf8'), readFileSync(html, 'utf8'), '`stampede report` renders the saved run as `run --html` did');

  const text = readFileSync(html, 'utf8');
  assert.doesNotMatch(text, /<script[^>]+src=|<link[^>]+href=|url\(/, 'nothing to fetch: uPlot and the data are inline');
  for (const section of ['Summary', 'Comparisons', 'Phases, ramp and spike', 'Sites', 'Environment and plan'])
    assert.match(text, new RegExp(`<h2>${section}</h2>`));
  assert.match(text, /corrected p95</, 'open model: the corrected twin is in the tables');

  const opened = await openPage(pathToFileURL(html).href);
  try {
    const { page } = opened;
    await page.waitForFunction('window.__stampede && window.__stampede.drawn() >= window.__stampede.charts.length');
    const pixels = await drawnPixels(page);
    assert.equal(pixels.length, 5, 'throughput, VUs, errors, latency, per-operation p95');
    pixels.forEach((n, i) => assert.ok(n > 1000, `chart ${i} has drawn pixels (${n})`));
    const series = await page.evaluate<string[]>(`window.__stampede.charts[3].series.map((s) => s.label)`);
    assert.ok(
      series.includes('alpha p95') && series.includes('alpha p95 corrected'),
      `latency with its corrected twin: ${series.join(', ')}`,
    );

    // The legend: a click hides beta's throughput series, a second click shows it again.
    const shown = `window.__stampede.charts[0].series[2].show`;
    const beta = page.locator('#chart-throughput .u-legend .u-series').nth(2);
    assert.equal(await beta.textContent().then((s) => s?.trim().startsWith('beta')), true);
    await beta.click();
    assert.equal(await page.evaluate(shown), false);
    assert.match((await beta.getAttribute('class')) ?? '', /u-off/);
    await beta.click();
    assert.equal(await page.evaluate(shown), true);

    await page.selectOption('#operation', 'two');
    await page.waitForFunction(
      `window.__stampede.charts.some((u) => u.root.parentElement.id === 'chart-operation' && /two/.test(u.root.textContent))`,
    );

    const screenshot = join(tempDir(), 'html-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10_000);
    t.diagnostic(`screenshot: ${screenshot}`);
    console.log(`screenshot: ${screenshot}`);
    assert.deepEqual(opened.errors, [], 'no console error');
    assert.deepEqual(opened.external, [], 'no request beyond the file');
  } finally {
    await opened.close();
  }
});
