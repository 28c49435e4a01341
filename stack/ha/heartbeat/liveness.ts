/**
 * What the role machine knows of its mate's liveness, per heartbeat path. Two sources:
 * - `FailureDetector` (detector.ts): heartbeats arrive on this thread and silence is a timeout
 *   (simulations, in-memory tests);
 * - `ReportedLiveness` (below): a heartbeat thread hears the mate and decides silence itself,
 *   and this thread only mirrors its verdicts in arrival order. A stalled event loop then
 *   cannot fake silence: a heartbeat heard during the stall is queued before any later verdict.
 */
import type { Heartbeat } from '../ipc/records.ts';
import type { HeartbeatPath, PathStatus } from './detector.ts';

export interface MateLiveness {
  readonly timeoutMs: number;
  heard(path: HeartbeatPath, hb: Heartbeat, at: number): void;
  /** The heartbeat thread found the path silent (last heard at `lastHeard`). */
  silent(path: HeartbeatPath, lastHeard: number | undefined): void;
  /** A sign of life that carries no heartbeat (the path's transport just connected). */
  touch(path: HeartbeatPath, now: number): void;
  /** Forget a path (its transport was reset): silent until heard again. */
  forget(path: HeartbeatPath): void;
  path(path: HeartbeatPath, now: number): PathStatus;
  mateAlive(now: number): boolean;
  mate(now: number): Heartbeat | undefined;
  readonly lastHeartbeat: Heartbeat | undefined;
  /** Earliest time a path could turn silent by itself (for the caller's timer), or undefined. */
  nextExpiry(now: number): number | undefined;
}

/**
 * Liveness as reported by the heartbeat thread: a path is alive from `heard` until `silent`.
 * The transport hooks keep their meaning from the detector: `forget` (the IPC session was
 * reset) holds the path silent until `touch` (a session is up again), and `touch` gives the
 * path one detection time of grace for its first report.
 */
export class ReportedLiveness implements MateLiveness {
  private readonly state = {
    ipc: newPathState(),
    lan: newPathState(),
  };
  private latest: Heartbeat | undefined;
  private latestAt = Number.NEGATIVE_INFINITY;

  constructor(readonly timeoutMs: number) {}

  heard(path: HeartbeatPath, hb: Heartbeat, at: number): void {
    const s = this.state[path];
    s.reported = true;
    s.lastHeard = Math.max(s.lastHeard ?? at, at);
    if (at >= this.latestAt) {
      this.latest = hb;
      this.latestAt = at;
    }
  }

  silent(path: HeartbeatPath, lastHeard: number | undefined): void {
    const s = this.state[path];
    s.reported = false;
    s.graceUntil = undefined;
    if (lastHeard !== undefined) s.lastHeard = Math.max(s.lastHeard ?? lastHeard, lastHeard);
  }

  touch(path: HeartbeatPath, now: number): void {
    const s = this.state[path];
    s.held = false;
    s.graceUntil = Math.max(s.graceUntil ?? now, now + this.timeoutMs);
  }

  forget(path: HeartbeatPath): void {
    const s = this.state[path];
    s.held = true;
    s.graceUntil = undefined;
  }

  path(path: HeartbeatPath, now: number): PathStatus {
    const s = this.state[path];
    const inGrace = s.graceUntil !== undefined && now <= s.graceUntil;
    return { alive: !s.held && (s.reported || inGrace), lastHeard: s.lastHeard };
  }

  mateAlive(now: number): boolean {
    return this.path('ipc', now).alive || this.path('lan', now).alive;
  }

  mate(now: number): Heartbeat | undefined {
    return this.mateAlive(now) ? this.latest : undefined;
  }

  get lastHeartbeat(): Heartbeat | undefined {
    return this.latest;
  }

  /** Only a grace period ends by itself; silence otherwise comes as a report. */
  nextExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const s of [this.state.ipc, this.state.lan]) {
      if (s.graceUntil === undefined || s.reported || s.held) continue;
      const at = s.graceUntil + 1;
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }
}

interface ReportedPathState {
  /** The heartbeat thread's last verdict: heard (true) or silent (false). */
  reported: boolean;
  /** Held silent by `forget` until the next `touch`. */
  held: boolean;
  graceUntil: number | undefined;
  lastHeard: number | undefined;
}

function newPathState(): ReportedPathState {
  return { reported: false, held: false, graceUntil: undefined, lastHeard: undefined };
}
