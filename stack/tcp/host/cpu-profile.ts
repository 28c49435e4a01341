/**
 * A short summary of a V8 .cpuprofile (from `node --cpu-prof`): self time
 * per function and per source file, so a benchmark can say where time goes.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idlePercent: number;
  /** Rows are percentages of busy (non-idle) time. */
  functions: ProfileRow[];
  files: ProfileRow[];
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const i = url.indexOf('/stack/');
  if (i >= 0) return url.slice(i + 1);
  const n = url.indexOf('node_modules/');
  if (n >= 0) return url.slice(n);
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const totalMs = (p.endTime - p.startTime) / 1000;
  const samples = p.samples?.length ?? p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const msPerSample = samples > 0 ? totalMs / samples : 0;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  for (const node of p.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const where = shortUrl(url);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
    const key = functionName.startsWith('(') ? functionName : where;
    byFile.set(key, (byFile.get(key) ?? 0) + hits);
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({
        name,
        selfMs: Math.round(hits * msPerSample),
        percent: samples - idle > 0 ? (100 * hits) / (samples - idle) : 0,
      }));
  return {
    totalMs,
    idlePercent: samples > 0 ? (100 * idle) / samples : 0,
    functions: rows(byFn),
    files: rows(byFile),
  };
}
