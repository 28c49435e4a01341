/**
 * The boards' console logs merged into the run's timeline (source: the
 * board, kind `console`), so a boot banner or a kernel message sits beside
 * the power cut that caused it. The console driver writes one line per
 * received line, each prefixed with its ISO timestamp.
 */
import { readFileSync } from 'node:fs';
import type { Timeline } from './timeline.ts';

/** Per board, at most this many lines (a chatty console must not swamp the timeline). */
export const MAX_CONSOLE_LINES = 2000;

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

export function mergeConsoleLog(file: string, board: string, timeline: Timeline): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let added = 0;
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.replace(/\r$/, ''));
    const line = m?.[2]?.trim();
    if (!m || !line) continue;
    const at = Date.parse(m[1]!);
    if (Number.isNaN(at)) continue;
    if (added >= MAX_CONSOLE_LINES) {
      timeline.add('harness', 'console-log.truncated', { board, kept: added, file });
      break;
    }
    timeline.add(board, 'console', { line: line.slice(0, 500) }, at);
    added++;
  }
  return added;
}
