import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readReport } from '../../src/report/read.js';
import { chartModel, MAX_POINTS } from '../../src/views/html/model.js';
import { renderHtml } from '../../src/views/html/page.js';
import type { ThresholdView } from '../../src/views/html/sections.js';
import { ROOT } from '../helpers/cli.js';

const saved = () => readReport(join(ROOT, 'test', 'fixtures', 'report-v1.json'));

test('thresholds, when the report has them, are shown with their measured value and result', () => {
  const report = saved();
  const thresholds: ThresholdView[] = [
    { expression: 'p95 < 50ms', scope: {}, metric: 'p95', comparator: '<', limit: 50_000, unit: 'us', measured: 1234, ok: true },
    {
      expression: 'error_rate < 0.1%',
      scope: { provider: 'a<b>' },
      metric: 'error_rate',
      comparator: '<',
      limit: 0.001,
      unit: 'ratio',
      measured: 0.02,
      ok: false,
    },
  ];
  const html = renderHtml(Object.assign(report, { thresholds }));
  assert.match(html, /<td>p95 &#60; 50ms<\/td><td>all<\/td><td>&#60; 50\.000 ms<\/td><td>1\.234 ms<\/td><td><span class="ok">pass<\/span>/);
  assert.match(html, /<td>provider a&#60;b&#62;<\/td><td>&#60; 0\.10 %<\/td><td>2\.00 %<\/td><td><span class="bad">FAIL<\/span>/);
  assert.doesNotMatch(renderHtml(saved()), /<h2>Thresholds<\/h2>/, 'no section without thresholds');
});

test('a long run is folded to at most MAX_POINTS a series: throughput averaged, latency the worst window, flags kept', () => {
  const report = saved();
  const p = report.providers[0]!;
  const template = p.windows[0]!;
  const windows = MAX_POINTS * 3 + 1;
  p.windows = Array.from({ length: windows }, (_, i) => ({
    ...template,
    window: i,
    startMs: i * report.plan.windowMs,
    opsPerSec: i % 2,
    latencyUs: { ...template.latencyUs, p95: i === 7 ? 999_999 : 10 },
    saturated: i === 8,
  }));
  report.providers = [p];
  const model = chartModel(report);
  assert.equal(model.windowsPerPoint, 4);
  assert.equal(model.x.length, Math.ceil(windows / 4));
  const series = model.providers[0]!;
  assert.equal(series.opsPerSec[0], 0.5, '(0 + 1 + 0 + 1) / 4');
  assert.equal(series.p95[1], 999_999, 'the worst window of the point');
  assert.deepEqual(series.saturated, [2]);
  assert.equal(model.x[0], (4 * report.plan.windowMs) / 1000, 'a point is placed at the end of its last window');
});
