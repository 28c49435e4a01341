/**
 * The heartbeat thread's verdicts per path: a `FailureDetector` plus what was last reported to
 * the main thread, so each path's silence is reported once, and again only after it was heard.
 * Pure: time comes in as `now`.
 */
import type { Heartbeat } from '../ipc/records.ts';
import {
  FailureDetector,
  HEARTBEAT_PATHS,
  type HeartbeatConfig,
  type HeartbeatPath,
} from './detector.ts';

export interface Silence {
  path: HeartbeatPath;
  lastHeard: number | undefined;
}

export class PathWatch {
  readonly detector: FailureDetector;
  private readonly reportedSilent: Record<HeartbeatPath, boolean> = { ipc: false, lan: false };

  constructor(cfg: HeartbeatConfig) {
    this.detector = new FailureDetector(cfg);
  }

  heard(path: HeartbeatPath, hb: Heartbeat, now: number): void {
    this.detector.heard(path, hb, now);
    this.reportedSilent[path] = false;
  }

  /** Paths heard before that fell silent and were not reported yet (does not report them). */
  pending(now: number): HeartbeatPath[] {
    return HEARTBEAT_PATHS.filter((p) => {
      const s = this.detector.path(p, now);
      return !s.alive && s.lastHeard !== undefined && !this.reportedSilent[p];
    });
  }

  /** Report the pending silences: each is returned once. */
  take(now: number): Silence[] {
    return this.pending(now).map((path) => {
      this.reportedSilent[path] = true;
      return { path, lastHeard: this.detector.path(path, now).lastHeard };
    });
  }

  nextExpiry(now: number): number | undefined {
    return this.detector.nextExpiry(now);
  }
}
