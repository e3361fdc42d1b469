import { UserError, errorMessage } from '../errors.js';
import { readUserFile } from '../util/files.js';
import { check, problemLine } from '../util/issues.js';
import { REPORT_SCHEMA_VERSION, type Report, reportSchema } from './types.js';

/** Version 1 names that version 2 made consistent, per part of a provider's report. */
const V1_RENAMES = {
  sites: new Map([
    ['peakVus', 'peakVUs'],
    ['errors', 'failed'],
  ]),
  sources: new Map([
    ['errors', 'failed'],
    ['workerErrors', 'workerFailed'],
  ]),
};

/**
 * Reads a saved run report and validates it. A version 1 report is upgraded to version 2 in
 * memory (its figures are the same; only names changed, and what version 2 added is absent).
 * A file that is not a report is one line naming what is wrong.
 */
export function readReport(path: string): Report {
  const text = readUserFile(path, path, 'report', 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not a JSON report: ${errorMessage(err).replace(/\s+/g, ' ')}`);
  }
  const version = isObject(json) ? json.schemaVersion : undefined;
  if (version !== 1 && version !== REPORT_SCHEMA_VERSION) {
    const known = `1 or ${REPORT_SCHEMA_VERSION}`;
    throw new UserError(`${path}: schemaVersion: must be ${known} (a stampede run report), got ${JSON.stringify(version) ?? 'none'}`);
  }
  const parsed = check(reportSchema, version === 1 ? upgradeV1(json as Record<string, unknown>) : json);
  if (!parsed.success)
    throw new UserError(problemLine(version === 1 ? `${path} (version 1, read as ${REPORT_SCHEMA_VERSION})` : path, parsed.problem));
  return parsed.data;
}

function upgradeV1(report: Record<string, unknown>): Record<string, unknown> {
  return {
    ...report,
    schemaVersion: REPORT_SCHEMA_VERSION,
    providers: mapArray(report.providers, (p) =>
      isObject(p)
        ? {
            ...p,
            sites: mapArray(p.sites, (s) => renamed(s, V1_RENAMES.sites)),
            sources: mapArray(p.sources, (s) => renamed(s, V1_RENAMES.sources)),
          }
        : p,
    ),
  };
}

function renamed(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k) ?? k, v]));
}

/** What is not an array is left as it is, for the schema to name. */
function mapArray(value: unknown, f: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(f) : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
