import { thresholdLabel } from '../config/thresholds.js';
import type { RunCompare } from '../report/run-compare.js';
import { formatMeasure } from '../report/thresholds.js';
import type { Report } from '../report/types.js';

interface TestCase {
  name: string;
  classname: string;
  /** The failure message; absent when the case passed. */
  failure?: string;
  detail: string;
}

/** `run --junit`: one test case per threshold and provider it was checked on. */
export function runJunit(report: Report): string {
  const cases = (report.thresholds ?? []).map((t): TestCase => ({
    name: thresholdLabel(t),
    classname: `stampede.thresholds.${t.scope.provider ?? 'all'}`,
    ...(t.ok ? {} : { failure: `measured ${formatMeasure(t.measured, t.unit)}` }),
    detail: `measured ${formatMeasure(t.measured, t.unit)} (${t.metric} ${t.comparator} ${formatMeasure(t.limit, t.unit)})`,
  }));
  const aborted = report.abortedBy ? `\nstopped early by abortOnFail: ${report.abortedBy}` : '';
  return junit(`stampede run ${report.name}`, report.endedAt, cases, `run ${report.runId}: ${report.status}${aborted}`);
}

/** `compare --junit`: one test case per provider × operation verdict; a called regression fails it. */
export function compareJunit(c: RunCompare): string {
  const cases = c.rows.map((r): TestCase => ({
    name: `${r.provider}/${r.operation} p95`,
    classname: `stampede.compare.${r.provider}`,
    ...(r.regression ? { failure: r.verdict } : {}),
    detail: r.verdict,
  }));
  return junit(
    `stampede compare ${c.base.name}`,
    c.candidate.startedAt,
    cases,
    `base ${c.base.runId}, new ${c.candidate.runId}, margin ${c.margin}`,
  );
}

function junit(suite: string, timestamp: string, cases: readonly TestCase[], out: string): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`;
  const body = cases.map((c) => {
    const head = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="0"`;
    const failure =
      c.failure === undefined ? '' : `\n      <failure message="${xml(c.failure)}" type="threshold">${xml(c.detail)}</failure>`;
    return `${head}>${failure}\n      <system-out>${xml(c.detail)}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stampede" ${counts} time="0">`,
    `  <testsuite name="${xml(suite)}" ${counts} skipped="0" time="0" timestamp="${xml(timestamp.replace(/\.\d+Z$|Z$/, ''))}">`,
    ...body,
    `    <system-out>${xml(out)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Text as XML: the five markup characters escaped, characters XML 1.0 cannot hold dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
