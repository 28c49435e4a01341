/**
 * Heartbeats handled outside the main event loop (HeartbeatThread, or an in-memory stand-in
 * in tests), as the HA runtime sees them: the mate heard / a path silent, as events emitted
 * in the order they happened when the runtime polls; the main thread checks in (and says what
 * its heartbeats carry); and a hole in this board's own heartbeats (the mate may have found
 * it dead) can be asked for.
 */
import type { EventEmitter } from 'node:events';
import type { Heartbeat } from '../ipc/records.ts';
import type { HeartbeatFields } from './beat-protocol.ts';
import type { HeartbeatPath } from './detector.ts';

export interface HeartbeatServiceEvents {
  /** `at`: when it arrived (main clock), possibly well before the event is handled. */
  heard: [path: HeartbeatPath, hb: Heartbeat, at: number];
  silent: [path: HeartbeatPath, lastHeard: number | undefined];
}

export interface HeartbeatService extends EventEmitter<HeartbeatServiceEvents> {
  /** Emit the reports that arrived since the last call (called by the runtime every turn). */
  poll(now: number): void;
  /** The main loop is alive at `now`; its heartbeats carry `fields` from now on. */
  checkIn(now: number, fields: HeartbeatFields): void;
  /**
   * Length (ms) of a hole in this board's own heartbeats not reported yet — ended, or still
   * going on at `now` — long enough for the mate to have found this board dead; else undefined.
   */
  takeHole(now: number): number | undefined;
  /** Whether `takeHole(now)` has something (without taking it). */
  holePending(now: number): boolean;
  /** A heartbeat sent by the main loop itself, besides the service's own (optional). */
  beat?(hb: Heartbeat, now: number): void;
}
