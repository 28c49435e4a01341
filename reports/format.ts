/** Number and label formatting shared by every writer, so all reports read alike. */
import type { IterationStatus, RunVerdict } from './results-schema.ts';

export const DASH = '—';

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value)} ms`;
}

/** A signed difference in milliseconds, "+12 ms" / "−3 ms" / "±0 ms". */
export function deltaMs(value: number | null): string {
  if (value === null) return DASH;
  const r = Math.round(value);
  if (r === 0) return '±0 ms';
  return `${r > 0 ? '+' : '−'}${ms(Math.abs(r))}`;
}

export function deltaCount(value: number): string {
  if (value === 0) return '±0';
  return value > 0 ? `+${value}` : `−${-value}`;
}

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** A run-relative time as m:ss.mmm, e.g. 1:05.438. */
export function clock(timeMs: number | undefined): string {
  if (timeMs === undefined) return DASH;
  const total = Math.round(timeMs);
  const m = Math.floor(total / 60_000);
  const s = ((total % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return `${m}:${s}`;
}

export function duration(fromIso: string, toIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}

export const STATUS_LABEL: Record<IterationStatus, string> = {
  pass: 'pass',
  fail: 'FAIL',
  error: 'error',
  skipped: 'skipped',
  'expected-degraded': 'expected-degraded',
};

export const VERDICT_HEADLINE: Record<RunVerdict, string> = {
  pass: 'PASSED',
  fail: 'FAILED',
  error: 'INCOMPLETE',
};

export const VERDICT_EXPLAIN: Record<RunVerdict, string> = {
  pass: 'No peer saw a connection drop; every check held.',
  fail: 'The device under test failed at least one check.',
  error: 'The harness could not complete every fault; no failure of the device was seen.',
};

export function shortSha(sha: string): string {
  return sha.slice(0, 10);
}
