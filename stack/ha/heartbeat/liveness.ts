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

export abstract class MateLiveness {
  abstract readonly timeoutMs: number;
  private latest: Heartbeat | undefined;
  private latestAt = Number.NEGATIVE_INFINITY;

  abstract heard(path: HeartbeatPath, hb: Heartbeat, at: number): void;
  /** The heartbeat thread found the path silent (last heard at `lastHeard`). */
  abstract silent(path: HeartbeatPath, lastHeard: number | undefined): void;
  /** A sign of life that carries no heartbeat (the path's transport just connected). */
  abstract touch(path: HeartbeatPath, now: number): void;
  /** Forget a path (its transport was reset): silent until heard again. */
  abstract forget(path: HeartbeatPath): void;
  abstract path(path: HeartbeatPath, now: number): PathStatus;
  /** Earliest time a path could turn silent by itself (for the caller's timer), or undefined. */
  abstract nextExpiry(now: number): number | undefined;

  /** Some path alive: the mate is dead only when both are silent. */
  mateAlive(now: number): boolean {
    return this.path('ipc', now).alive || this.path('lan', now).alive;
  }

  /** The mate's most recent heartbeat (either path), if it is still alive. */
  mate(now: number): Heartbeat | undefined {
    return this.mateAlive(now) ? this.latest : undefined;
  }

  /** Last heartbeat ever heard, alive or not. */
  get lastHeartbeat(): Heartbeat | undefined {
    return this.latest;
  }

  /** Keep `hb` as the mate's latest unless a later one (by arrival time) is already kept. */
  protected keepLatest(hb: Heartbeat, at: number): void {
    if (at >= this.latestAt) {
      this.latest = hb;
      this.latestAt = at;
    }
  }
}

/**
 * Liveness as reported by the heartbeat thread: a path is alive from `heard` until `silent`.
 * The transport hooks keep their meaning from the detector: `forget` (the IPC session was
 * reset) holds the path silent until `touch` (a session is up again), and `touch` gives the
 * path one detection time of grace for its first report.
 */
export class ReportedLiveness extends MateLiveness {
  private readonly state = {
    ipc: newPathState(),
    lan: newPathState(),
  };

  constructor(readonly timeoutMs: number) {
    super();
  }

  heard(path: HeartbeatPath, hb: Heartbeat, at: number): void {
    const s = this.state[path];
    s.reported = true;
    s.lastHeard = Math.max(s.lastHeard ?? at, at);
    this.keepLatest(hb, at);
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
