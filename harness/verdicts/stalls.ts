/**
 * Stall tracking for one connection: the gaps between events of forward
 * progress (new data, new ACK), the longest overall and the longest that
 * overlaps each fault window.
 */
import type { FaultWindow, Stall } from './evidence.ts';

export interface Moment {
  frame: number;
  timeMs: number;
}

export class StallTracker {
  longest: Stall | undefined;
  readonly perWindow: Array<Stall | undefined>;
  private last: Moment | undefined;

  constructor(private readonly windows: FaultWindow[]) {
    this.perWindow = windows.map(() => undefined);
  }

  /** The first frame of the connection: the clock starts there. */
  start(at: Moment): void {
    this.last ??= at;
  }

  /** Forward progress at `at`; the gap since the previous one counts unless the connection had closed by then. */
  progress(at: Moment, closedMs: number | undefined): void {
    const last = this.last;
    this.last = at;
    if (!last || (closedMs !== undefined && last.timeMs >= closedMs)) return;
    this.record({
      durationMs: at.timeMs - last.timeMs,
      fromFrame: last.frame,
      toFrame: at.frame,
      fromMs: last.timeMs,
      toMs: at.timeMs,
    });
  }

  /** The capture ended with data outstanding: the gap runs to its end. */
  openAtEnd(end: Moment): void {
    const last = this.last;
    if (!last || end.timeMs <= last.timeMs) return;
    this.record({
      durationMs: end.timeMs - last.timeMs,
      fromFrame: last.frame,
      toFrame: end.frame,
      fromMs: last.timeMs,
      toMs: end.timeMs,
      openAtEnd: true,
    });
  }

  private record(stall: Stall): void {
    if (!this.longest || stall.durationMs > this.longest.durationMs) this.longest = stall;
    this.windows.forEach((w, i) => {
      const current = this.perWindow[i];
      const overlaps = stall.fromMs < w.endMs && stall.toMs > w.startMs;
      if (overlaps && (!current || stall.durationMs > current.durationMs))
        this.perWindow[i] = stall;
    });
  }
}
