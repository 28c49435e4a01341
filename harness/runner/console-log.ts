/**
 * The boards' console logs merged into the run's timeline (source: the
 * board, kind `console`), so a boot banner or a kernel message sits beside
 * the power cut that caused it. The console driver writes one line per
 * received line, each prefixed with its ISO timestamp.
 */
import { mergeLogLines } from './log-merge.ts';
import type { Timeline } from './timeline.ts';

/** Per board, at most this many lines (a chatty console must not swamp the timeline). */
export const MAX_CONSOLE_LINES = 2000;

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

export function mergeConsoleLog(file: string, board: string, timeline: Timeline): number {
  return mergeLogLines(
    file,
    board,
    timeline,
    { max: MAX_CONSOLE_LINES, name: 'console-log' },
    (raw) => {
      const m = LINE.exec(raw.replace(/\r$/, ''));
      const line = m?.[2]?.trim();
      if (!m || !line) return undefined;
      const at = Date.parse(m[1]!);
      if (Number.isNaN(at)) return undefined;
      return { kind: 'console', detail: { line: line.slice(0, 500) }, at };
    },
  );
}
