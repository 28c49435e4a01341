/**
 * Failure detector over the two heartbeat paths. A path is silent when nothing was heard on it
 * for `misses` intervals; the mate is dead only when BOTH paths are silent. Pure: time comes in
 * as `now` (ms), nothing is read from a clock.
 */
import type { Heartbeat } from '../ipc/records.ts';
import { MateLiveness } from './liveness.ts';

export type HeartbeatPath = 'ipc' | 'lan';
export const HEARTBEAT_PATHS: readonly HeartbeatPath[] = ['ipc', 'lan'];

export interface HeartbeatConfig {
  intervalMs: number;
  misses: number;
}

export interface PathStatus {
  alive: boolean;
  /** Local time the last heartbeat arrived on this path, or undefined if never. */
  lastHeard: number | undefined;
}

export class FailureDetector extends MateLiveness {
  private readonly last: Record<HeartbeatPath, number | undefined> = {
    ipc: undefined,
    lan: undefined,
  };

  constructor(private readonly cfg: HeartbeatConfig) {
    super();
  }

  /** Time without a heartbeat after which a path is silent. */
  get timeoutMs(): number {
    return this.cfg.intervalMs * this.cfg.misses;
  }

  heard(path: HeartbeatPath, hb: Heartbeat, now: number): void {
    this.last[path] = now;
    this.keepLatest(hb, now);
  }

  /** A sign of life that carries no heartbeat (the path's transport just connected). */
  touch(path: HeartbeatPath, now: number): void {
    const last = this.last[path];
    if (last === undefined || last < now) this.last[path] = now;
  }

  /** Forget a path (its transport was reset): silent until heard again. */
  forget(path: HeartbeatPath): void {
    this.last[path] = undefined;
  }

  /** Silence reported from elsewhere: here silence is a timeout, so the same as `forget`. */
  silent(path: HeartbeatPath, _lastHeard?: number): void {
    this.forget(path);
  }

  path(path: HeartbeatPath, now: number): PathStatus {
    const lastHeard = this.last[path];
    return { alive: lastHeard !== undefined && now - lastHeard <= this.timeoutMs, lastHeard };
  }

  /** Earliest time a path could turn silent (for the caller's timer), or undefined. */
  nextExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const p of HEARTBEAT_PATHS) {
      const heard = this.last[p];
      if (heard === undefined) continue;
      const at = heard + this.timeoutMs + 1;
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }
}
