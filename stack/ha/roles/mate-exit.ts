/**
 * A faster verdict for the commonest failure: the mate's daemon exits (crash, kill -9, OOM
 * kill) while its board lives on. Its kernel then closes the IPC stream at once (FIN or RST),
 * long before the heartbeats' detection time runs out. From that moment the LAN heartbeats must
 * keep coming: after `quickMs` (3 intervals, at most the detection time) without one, the LAN
 * path counts as silent. A mate that closed the stream on purpose lives on and is heard again
 * within an interval, which ends the suspicion; a cut IPC cable, a frozen mate or a power cut
 * close nothing, and keep the full detection time.
 */
import type { PathStatus } from '../heartbeat/detector.ts';

export const MATE_EXIT_INTERVALS = 3;

export class MateExitWatch {
  private since: number | undefined;
  readonly quickMs: number;

  constructor(
    private readonly intervalMs: number,
    detectionMs: number,
  ) {
    this.quickMs = Math.min(detectionMs, MATE_EXIT_INTERVALS * intervalMs);
  }

  /** When the mate's kernel closed the stream (undefined: no suspicion). */
  get suspectedSince(): number | undefined {
    return this.since;
  }

  suspect(now: number): void {
    this.since = now;
  }

  clear(): void {
    this.since = undefined;
  }

  /** The LAN path as the takeover rule sees it while the mate's exit is suspected. */
  lan(lan: PathStatus, now: number): PathStatus {
    const since = this.since;
    if (since === undefined || !lan.alive) return lan;
    const last = lan.lastHeard ?? since;
    // Heard an interval after the close: sent after it, so the mate lives (a late stamp of an
    // older heartbeat only makes this wrongly cautious: back to the full detection time).
    if (last > since + this.intervalMs) {
      this.since = undefined;
      return lan;
    }
    return now - last > this.quickMs ? { alive: false, lastHeard: lan.lastHeard } : lan;
  }

  /** When `lan` would turn silent by this rule, for the caller's timer. */
  deadline(lan: PathStatus): number | undefined {
    if (this.since === undefined || !lan.alive) return undefined;
    return (lan.lastHeard ?? this.since) + this.quickMs + 1;
  }
}
