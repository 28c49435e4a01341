/**
 * PDF through headless Chromium's own print path (--print-to-pdf), with a
 * fresh throw-away profile and every background network feature off: the
 * report is self-contained, so Chromium needs no network at all.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReportError } from './load-results.ts';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-free headless Chromium (containers, CI). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PdfOptions {
  chromium?: string;
  timeoutMs?: number;
}

export function chromiumPath(opts: PdfOptions = {}): string {
  return opts.chromium ?? process.env.HITLESS_CHROMIUM ?? DEFAULT_CHROMIUM;
}

/** Prints `htmlFile` to `pdfFile`; throws ReportError PDF_FAILED with Chromium's words. */
export async function htmlToPdf(
  htmlFile: string,
  pdfFile: string,
  opts: PdfOptions = {},
): Promise<void> {
  const exe = chromiumPath(opts);
  if (!existsSync(exe)) {
    throw new ReportError(
      'PDF_FAILED',
      `${exe}: Chromium not found (install Debian's chromium or set HITLESS_CHROMIUM)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'hitless-pdf-'));
  const out = resolve(pdfFile);
  rmSync(out, { force: true });
  const args = [
    ...CHROMIUM_FLAGS,
    `--user-data-dir=${profile}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${out}`,
    pathToFileURL(resolve(htmlFile)).href,
  ];
  try {
    const { code, stderr } = await run(exe, args, opts.timeoutMs ?? 60_000);
    const ok =
      existsSync(out) &&
      statSync(out).size > 0 &&
      readFileSync(out).subarray(0, 5).toString() === '%PDF-';
    if (!ok) {
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      throw new ReportError(
        'PDF_FAILED',
        `${out}: Chromium (exit ${code}) wrote no PDF${tail ? `:\n${tail}` : ''}`,
      );
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function run(
  exe: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new ReportError('PDF_FAILED', `Chromium did not finish printing within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ReportError('PDF_FAILED', `${exe}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stderr });
    });
  });
}
