/**
 * The daemons' own JSON-line logs merged into the run's timeline (source:
 * the board, kind: `daemon.<event>`), so a takeover, a bulk sync or an IPC
 * loss sits beside the harness action and the peers' errors around it.
 */
import { mergeLogLines } from './log-merge.ts';
import type { Timeline } from './timeline.ts';

/** Per board, at most this many entries (a chatty log must not swamp the timeline). */
export const MAX_DAEMON_EVENTS = 5000;

export function mergeDaemonLog(
  file: string,
  board: string,
  timeline: Timeline,
  window: { from: number; to: number },
): number {
  return mergeLogLines(
    file,
    board,
    timeline,
    { max: MAX_DAEMON_EVENTS, name: 'daemon-log' },
    (line) => {
      if (!line.startsWith('{')) return undefined;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const { ts, event, level, ...detail } = entry;
      const at = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
      if (typeof event !== 'string' || Number.isNaN(at) || at < window.from || at > window.to)
        return undefined;
      if (level === 'debug') return undefined;
      return {
        kind: `daemon.${event}`,
        detail: { ...(level && level !== 'info' ? { level } : {}), ...detail },
        at,
      };
    },
  );
}
