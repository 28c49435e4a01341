/**
 * A board's log file merged into the run's timeline line by line: each line the parser keeps
 * becomes an entry under the board, at most `max` of them, then one `<name>.truncated` note
 * (a reader must know the rest is only in the artifact). An unreadable file adds nothing.
 */
import { readFileSync } from 'node:fs';
import type { Timeline } from './timeline.ts';

export interface LogLineEntry {
  kind: string;
  detail: Record<string, unknown>;
  at: number;
}

export function mergeLogLines(
  file: string,
  board: string,
  timeline: Timeline,
  limit: { max: number; name: string },
  parse: (line: string) => LogLineEntry | undefined,
): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let added = 0;
  for (const line of text.split('\n')) {
    const entry = parse(line);
    if (!entry) continue;
    if (added >= limit.max) {
      timeline.add('harness', `${limit.name}.truncated`, { board, kept: added, file });
      break;
    }
    timeline.add(board, entry.kind, entry.detail, entry.at);
    added++;
  }
  return added;
}
