/**
 * Writes the chosen report formats for one run directory; what `hitless
 * report` and the campaign runner call.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renderHtml } from './html/page.ts';
import { renderJunit } from './junit.ts';
import { loadResults, ReportError, resultsPath } from './load-results.ts';
import { renderMarkdown } from './markdown.ts';
import { htmlToPdf, type PdfOptions } from './pdf.ts';
import type { Results } from './results-schema.ts';
import { buildTrend, type Trend } from './trend.ts';

/** `json` is results.json itself, always there: accepted so a testplan's list can be passed as is. */
export const FORMATS = ['json', 'html', 'junit', 'md', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];

export const OUTPUT_FILES: Record<Format, string> = {
  json: 'results.json',
  html: 'report.html',
  junit: 'junit.xml',
  md: 'summary.md',
  pdf: 'report.pdf',
};

/** "html,junit" → ['html', 'junit']; throws REPORT_FORMAT naming the unknown one. */
export function parseFormats(list: string): Format[] {
  const out: Format[] = [];
  for (const raw of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(FORMATS as readonly string[]).includes(raw)) {
      throw new ReportError(
        'REPORT_FORMAT',
        `unknown report format "${raw}" (choose from ${FORMATS.join(', ')})`,
      );
    }
    if (!out.includes(raw as Format)) out.push(raw as Format);
  }
  if (out.length === 0) throw new ReportError('REPORT_FORMAT', 'no report format given');
  return out;
}

export interface WriteReportsOptions extends PdfOptions {
  formats: Format[];
  /** Earlier run directories for the trend table. */
  compare?: string[];
  /** Prefix of the attachment paths in JUnit (default: the run directory relative to the cwd). */
  attachmentPrefix?: string;
}

export interface WrittenReports {
  results: Results;
  trend?: Trend;
  files: Partial<Record<Format, string>>;
}

/** Writes the reports into the run directory, beside results.json. */
export async function writeReports(
  runDir: string,
  opts: WriteReportsOptions,
): Promise<WrittenReports> {
  const results = loadResults(runDir);
  const earlier = (opts.compare ?? []).map((dir) => loadResults(dir));
  const trend = earlier.length ? buildTrend(results, earlier) : undefined;
  // Reports sit beside results.json, so their artifact links are relative paths.
  const outDir = dirname(resultsPath(runDir));
  const files: WrittenReports['files'] = {};
  if (opts.formats.includes('json')) files.json = resultsPath(runDir);
  const write = (format: Format, text: string) => {
    const file = join(outDir, OUTPUT_FILES[format]);
    writeFileSync(file, text);
    files[format] = file;
  };
  if (opts.formats.includes('junit')) {
    const prefix = opts.attachmentPrefix ?? (relative(process.cwd(), outDir) || '.');
    write('junit', renderJunit(results, { attachmentPrefix: prefix }));
  }
  if (opts.formats.includes('md')) write('md', renderMarkdown(results, { trend }));
  if (opts.formats.includes('html') || opts.formats.includes('pdf')) {
    write('html', renderHtml(results, { trend }));
    if (!opts.formats.includes('html')) delete files.html;
  }
  if (opts.formats.includes('pdf')) {
    const pdf = join(outDir, OUTPUT_FILES.pdf);
    await htmlToPdf(join(outDir, OUTPUT_FILES.html), pdf, opts);
    files.pdf = pdf;
  }
  return { results, trend, files };
}
