/**
 * The contract between the daemon's main thread and its heartbeat thread (beat-worker.ts):
 * start data and the few messages (start, stop, logs); everything in steady state goes
 * through shared memory (beat-shared.ts). Times are in the main thread's clock (ms); the
 * worker converts its own.
 */
import type { HaLogEvent } from '../ipc/log-sink.ts';
import type { Heartbeat } from '../ipc/records.ts';

/** What the main thread decides in every heartbeat; counter and sentAt are the worker's. */
export type HeartbeatFields = Pick<Heartbeat, 'slot' | 'role' | 'epoch' | 'sync' | 'frontDown'>;

export interface BeatEndpoint {
  local: string;
  mate: string;
  port: number;
}

/** What the heartbeat thread is configured with, on both sides of the worker boundary. */
export interface BeatSettings {
  ipc: BeatEndpoint;
  lan: BeatEndpoint;
  key?: Uint8Array;
  intervalMs: number;
  misses: number;
  /** The main loop not checking in for this long counts as hung: heartbeats stop. */
  hangMs: number;
  /** The fields until the main thread sets them in shared memory. */
  fields: HeartbeatFields;
}

export interface BeatWorkerData extends BeatSettings {
  /** The memory of a BeatShared. */
  shared: SharedArrayBuffer;
  /** Main clock = CLOCK_MONOTONIC ms − this. */
  clockOffsetMs: number;
}

export type MainToWorker = { type: 'stop' };

/** `silent`: a path fell silent (in shared memory): the main thread polls now, not at its next tick. */
export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'log'; event: HaLogEvent }
  | { type: 'silent' };

/** CLOCK_MONOTONIC in ms, the same in every thread of the process. */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * A gap in this board's own heartbeats after which the mate may have found it dead (detection
 * minus half an interval of arrival jitter): the board then goes on probation.
 */
export function holeThresholdMs(intervalMs: number, misses: number): number {
  return Math.max(1.5 * intervalMs, intervalMs * misses - intervalMs / 2);
}

export function sameFields(a: HeartbeatFields, b: HeartbeatFields): boolean {
  return (
    a.slot === b.slot &&
    a.role === b.role &&
    a.epoch === b.epoch &&
    a.sync === b.sync &&
    a.frontDown === b.frontDown
  );
}
