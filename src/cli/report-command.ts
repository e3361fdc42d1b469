import { UserError } from '../errors.js';
import { readReport } from '../report/read.js';
import { writeTextAtomic } from '../report/write.js';
import { renderHtml } from '../views/html/page.js';
import { checkOutPath } from './out-path.js';

export interface ReportFlags {
  html?: string;
}

/** `stampede report <run.json> --html out.html`: a saved run's report as the self-contained HTML page. */
export function reportCommand(file: string, flags: ReportFlags): number {
  if (flags.html === undefined) throw new UserError('report: nothing to write: add --html <file>');
  checkOutPath(flags.html, '--html');
  const report = readReport(file);
  writeTextAtomic(flags.html, renderHtml(report));
  process.stdout.write(`html: ${flags.html}\n`);
  return 0;
}
