/**
 * Reading results.json back: every problem is reported with the file and the
 * key (or line and column for broken JSON), so a hand-edited or truncated file
 * is fixed in one look.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { RESULTS_FILE, RESULTS_SCHEMA_ID, Results } from './results-schema.ts';

export type ReportErrorCode =
  | 'RESULTS_MISSING'
  | 'RESULTS_JSON'
  | 'RESULTS_VERSION'
  | 'RESULTS_INVALID'
  | 'REPORT_FORMAT'
  | 'PDF_FAILED';

export class ReportError extends Error {
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

/** The results file of a run directory (or the file itself when given one). */
export function resultsPath(dirOrFile: string): string {
  try {
    if (statSync(dirOrFile).isDirectory()) return join(dirOrFile, RESULTS_FILE);
  } catch {
    // Not there: report it below, under the name the user gave.
  }
  return dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, RESULTS_FILE);
}

function keyOf(path: ReadonlyArray<PropertyKey>): string {
  let key = '';
  for (const part of path) {
    if (typeof part === 'number') key += `[${part}]`;
    else key += key ? `.${String(part)}` : String(part);
  }
  return key || '(top level)';
}

/** The offset JSON.parse stopped at: from its message, else the shortest prefix that is wrong already. */
function jsonErrorOffset(text: string, message: string): number | null {
  const pos = /position (\d+)/.exec(message)?.[1];
  if (pos !== undefined) return Number(pos);
  const wrongAlready = (end: number): boolean => {
    try {
      JSON.parse(text.slice(0, end));
      return false;
    } catch (err) {
      const m = (err as Error).message;
      const at = /position (\d+)/.exec(m)?.[1];
      return !m.includes('Unexpected end') && Number(at ?? -1) !== end;
    }
  };
  if (!wrongAlready(text.length)) return null;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (wrongAlready(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

/** ":line:column" (1-based) of a JSON syntax error, when it can be placed. */
function whereInJson(text: string, message: string): string {
  const offset = jsonErrorOffset(text, message);
  if (offset === null) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `:${line}:${column}`;
}

export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 20).map((i) => `${file}: ${keyOf(i.path)}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`… and ${issues.length - shown.length} more`);
  return shown.join('\n');
}

/** Validates already-parsed results; throws ReportError naming file and key. */
export function parseResults(data: unknown, file = RESULTS_FILE): Results {
  const declared = (data as { schema?: unknown } | null)?.schema;
  if (typeof data === 'object' && data !== null && declared !== RESULTS_SCHEMA_ID) {
    throw new ReportError(
      'RESULTS_VERSION',
      `${file}: schema: ${JSON.stringify(declared ?? null)} is not supported (this hitless reads "${RESULTS_SCHEMA_ID}")`,
      file,
    );
  }
  const parsed = Results.safeParse(data);
  if (!parsed.success) {
    throw new ReportError('RESULTS_INVALID', formatIssues(file, parsed.error.issues), file);
  }
  return parsed.data;
}

/** Loads and validates `<dir>/results.json`. */
export function loadResults(dir: string): Results {
  const file = resultsPath(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new ReportError('RESULTS_MISSING', `${file}: ${why}`, file);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    throw new ReportError(
      'RESULTS_JSON',
      `${file}${whereInJson(text, message)}: not valid JSON: ${message.split('\n')[0]}`,
      file,
    );
  }
  return parseResults(data, file);
}
