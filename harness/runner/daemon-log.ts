/**
 * The daemons' own JSON-line logs merged into the run's timeline (source:
 * the board, kind: `daemon.<event>`), so a takeover, a bulk sync or an IPC
 * loss sits beside the harness action and the peers' errors around it.
 */
import { readFileSync } from 'node:fs';
import type { Timeline } from './timeline.ts';

/** Per board, at most this many entries (a chatty log must not swamp the timeline). */
export const MAX_DAEMON_EVENTS = 5000;

export function mergeDaemonLog(
  file: string,
  board: string,
  timeline: Timeline,
  window: { from: number; to: number },
): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let added = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const { ts, event, level, ...detail } = entry;
    const at = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
    if (typeof event !== 'string' || Number.isNaN(at) || at < window.from || at > window.to)
      continue;
    if (level === 'debug') continue;
    if (added >= MAX_DAEMON_EVENTS) {
      // Said on the timeline: a reader must know the rest is only in the artifact.
      timeline.add('harness', 'daemon-log.truncated', { board, kept: added, file });
      break;
    }
    timeline.add(
      board,
      `daemon.${event}`,
      { ...(level && level !== 'info' ? { level } : {}), ...detail },
      at,
    );
    added++;
  }
  return added;
}
