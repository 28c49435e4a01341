/**
 * The heartbeat thread's sending rule. It sends every interval while the main thread keeps
 * checking in; when the main thread has not checked in for `hangMs` its event loop is wedged
 * and the board must look dead, so it stops (a dead board is caught within interval × misses,
 * a wedged one within hangMs + that). It also reports holes in its own sends (it was itself
 * descheduled, or stopped for a hang) long enough for the mate to have found this board dead.
 * Pure: time comes in as `now`.
 */
export interface SendWatchdogConfig {
  hangMs: number;
  /** A gap between two sends longer than this is a hole (see holeThresholdMs). */
  holeMs: number;
}

export interface SendDecision {
  send: boolean;
  /** A hole in the sends ends with this one. */
  hole?: { from: number; to: number };
  /** The main thread just stopped / started checking in again. */
  change?: { kind: 'hung'; sinceMs: number } | { kind: 'resumed'; hungMs: number };
}

export class SendWatchdog {
  lastSent: number | undefined;
  private hungSince: number | undefined;

  constructor(private readonly cfg: SendWatchdogConfig) {}

  /** Called every interval with the main thread's last check-in time. */
  tick(now: number, checkIn: number): SendDecision {
    const live = now - checkIn <= this.cfg.hangMs;
    if (!live) {
      if (this.hungSince !== undefined) return { send: false };
      this.hungSince = now;
      return { send: false, change: { kind: 'hung', sinceMs: now - checkIn } };
    }
    const d: SendDecision = { send: true };
    if (this.hungSince !== undefined) {
      d.change = { kind: 'resumed', hungMs: now - this.hungSince };
      this.hungSince = undefined;
    }
    if (this.lastSent !== undefined && now - this.lastSent > this.cfg.holeMs)
      d.hole = { from: this.lastSent, to: now };
    this.lastSent = now;
    return d;
  }

  get hung(): boolean {
    return this.hungSince !== undefined;
  }
}
