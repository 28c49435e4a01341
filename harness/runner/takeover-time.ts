/**
 * When the mate took over, per iteration. The runner's status polls see a
 * role change up to one poll (and an SSH round trip) late; the daemons log
 * the moment themselves (`ha-active`, reason takeover or switchover), and
 * their logs reach the timeline once fetched: the earlier of the two counts.
 */
import type { IterationRecord } from './results.ts';
import type { TimelineEntry } from './timeline.ts';

const TAKEOVER_REASONS = new Set(['takeover', 'switchover', 'planned']);

export function refineTakeovers(records: IterationRecord[], timeline: TimelineEntry[]): void {
  for (const rec of records) {
    if (rec.inject === undefined) continue;
    const inject = rec.inject;
    const before = timeline.find(
      (e) => e.kind === 'fault.inject' && e.source === 'harness' && e.iteration === rec.index,
    )?.detail.active;
    const logged = timeline.find(
      (e) =>
        e.kind === 'daemon.ha-active' &&
        e.ts >= inject &&
        e.ts < rec.spanEnd &&
        e.source !== before &&
        TAKEOVER_REASONS.has(String(e.detail.reason)),
    );
    if (logged && (rec.takeover === undefined || logged.ts < rec.takeover)) {
      rec.takeover = logged.ts;
    }
  }
}
